package sim

import (
	"fmt"
	"strings"

	"github.com/vr-go/vr/core"
)

// bugFlags maps the command-line name of each planted bug to its field.
var bugFlags = []struct {
	name string
	flag func(*core.Bugs) *bool
}{
	{"commit-one-short", func(b *core.Bugs) *bool { return &b.CommitOneShort }},
	{"dvc-by-op-only", func(b *core.Bugs) *bool { return &b.DVCByOpOnly }},
	{"recovery-in-view-change", func(b *core.Bugs) *bool { return &b.RecoveryInViewChange }},
	{"truncate-on-new-view", func(b *core.Bugs) *bool { return &b.TruncateOnNewView }},
	{"no-stickiness", func(b *core.Bugs) *bool { return &b.NoStickiness }},
	{"skip-checkpoint-fetch", func(b *core.Bugs) *bool { return &b.SkipCheckpointFetch }},
	{"lease-ignores-drift", func(b *core.Bugs) *bool { return &b.LeaseIgnoresDrift }},
	{"recovery-ignores-announced", func(b *core.Bugs) *bool { return &b.RecoveryIgnoresAnnounced }},
	{"no-start-gate", func(b *core.Bugs) *bool { return &b.NoStartGate }},
}

// BugNames returns the names of the bugs set in b.
func BugNames(b core.Bugs) []string {
	var names []string
	for _, f := range bugFlags {
		if *f.flag(&b) {
			names = append(names, f.name)
		}
	}
	return names
}

// AllBugNames returns the name of every planted bug.
func AllBugNames() []string {
	names := make([]string, len(bugFlags))
	for i, f := range bugFlags {
		names[i] = f.name
	}
	return names
}

// ParseBugs parses a comma-separated list of bug names.
func ParseBugs(list string) (core.Bugs, error) {
	var b core.Bugs
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, f := range bugFlags {
			if f.name == name {
				*f.flag(&b), found = true, true
			}
		}
		if !found {
			return b, fmt.Errorf("%w: unknown bug %q (known: %s)", ErrBadOptions, name, strings.Join(AllBugNames(), ", "))
		}
	}
	return b, nil
}
