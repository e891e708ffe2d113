package sim

import (
	"fmt"
	"strings"

	"github.com/vr-go/vr/internal/plant"
)

// bugFlags maps the command-line name of each planted bug to its field.
var bugFlags = []struct {
	name string
	flag func(*plant.Bugs) *bool
}{
	{"commit-one-short", func(b *plant.Bugs) *bool { return &b.CommitOneShort }},
	{"dvc-by-op-only", func(b *plant.Bugs) *bool { return &b.DVCByOpOnly }},
	{"recovery-in-view-change", func(b *plant.Bugs) *bool { return &b.RecoveryInViewChange }},
	{"truncate-on-new-view", func(b *plant.Bugs) *bool { return &b.TruncateOnNewView }},
	{"no-stickiness", func(b *plant.Bugs) *bool { return &b.NoStickiness }},
	{"skip-checkpoint-fetch", func(b *plant.Bugs) *bool { return &b.SkipCheckpointFetch }},
	{"jump-over-held-log", func(b *plant.Bugs) *bool { return &b.JumpOverHeldLog }},
	{"truncate-at-own-checkpoint", func(b *plant.Bugs) *bool { return &b.TruncateAtOwnCheckpoint }},
	{"stateless-drops-committed", func(b *plant.Bugs) *bool { return &b.StatelessDropsCommitted }},
	{"lease-ignores-drift", func(b *plant.Bugs) *bool { return &b.LeaseIgnoresDrift }},
	{"recovery-ignores-announced", func(b *plant.Bugs) *bool { return &b.RecoveryIgnoresAnnounced }},
	{"no-start-gate", func(b *plant.Bugs) *bool { return &b.NoStartGate }},
	{"checkpoint-by-ops-only", func(b *plant.Bugs) *bool { return &b.CheckpointByOpsOnly }},
	{"reset-backoff-on-new-view", func(b *plant.Bugs) *bool { return &b.ResetBackoffOnNewView }},
	{"retransmit-every-retry", func(b *plant.Bugs) *bool { return &b.RetransmitEveryRetry }},
	{"proven-view-keeps-timeout", func(b *plant.Bugs) *bool { return &b.ProvenViewKeepsTimeout }},
	{"witness-may-lead", func(b *plant.Bugs) *bool { return &b.WitnessMayLead }},
	{"witness-serves-state", func(b *plant.Bugs) *bool { return &b.WitnessServesState }},
	{"witness-metadata-only", func(b *plant.Bugs) *bool { return &b.WitnessMetadataOnly }},
	{"delta-skips-replaced", func(b *plant.Bugs) *bool { return &b.DeltaSkipsReplaced }},
	{"install-unverified", func(b *plant.Bugs) *bool { return &b.InstallUnverified }},
	{"execute-while-installing", func(b *plant.Bugs) *bool { return &b.ExecuteWhileInstalling }},
	{"standby-in-quorum", func(b *plant.Bugs) *bool { return &b.StandbyInQuorum }},
	{"standby-primary", func(b *plant.Bugs) *bool { return &b.StandbyMayLead }},
	{"epoch-from-message", func(b *plant.Bugs) *bool { return &b.EpochFromMessage }},
	{"epoch-keeps-view", func(b *plant.Bugs) *bool { return &b.EpochKeepsView }},
	{"lease-across-epochs", func(b *plant.Bugs) *bool { return &b.LeaseAcrossEpochs }},
	{"joiner-in-view-0", func(b *plant.Bugs) *bool { return &b.JoinerInViewZero }},
	{"retire-early", func(b *plant.Bugs) *bool { return &b.RetireEarly }},
	{"admit-new-majority", func(b *plant.Bugs) *bool { return &b.AdmitNewMajority }},
	{"refusal-off-the-log", func(b *plant.Bugs) *bool { return &b.RefusalOffTheLog }},
	{"new-witness-holds", func(b *plant.Bugs) *bool { return &b.NewWitnessHolds }},
	{"demoted-holds", func(b *plant.Bugs) *bool { return &b.DemotedHolds }},
	{"epoch-keeps-backoff", func(b *plant.Bugs) *bool { return &b.EpochKeepsBackoff }},
	{"op-after-reconfig", func(b *plant.Bugs) *bool { return &b.OpAfterReconfig }},
	{"single-lane", func(b *plant.Bugs) *bool { return &b.SingleLane }},
	{"transfer-before-start-view", func(b *plant.Bugs) *bool { return &b.TransferBeforeStartView }},
	{"view-timer-ignores-progress", func(b *plant.Bugs) *bool { return &b.ViewTimerIgnoresProgress }},
	{"register-reopens-evicted", func(b *plant.Bugs) *bool { return &b.RegisterReopensEvicted }},
	{"fetch-pinned", func(b *plant.Bugs) *bool { return &b.FetchPinned }},
	{"fetch-restarts", func(b *plant.Bugs) *bool { return &b.FetchRestarts }},
	{"epoch-checkpoint-while-installing", func(b *plant.Bugs) *bool { return &b.EpochCheckpointWhileInstalling }},
	{"answer-every-repeat", func(b *plant.Bugs) *bool { return &b.AnswerEveryRepeat }},
	{"ask-while-arriving", func(b *plant.Bugs) *bool { return &b.AskWhileArriving }},
	{"drop-early-prepares", func(b *plant.Bugs) *bool { return &b.DropEarlyPrepares }},
	{"retry-after-idle", func(b *plant.Bugs) *bool { return &b.RetryAfterIdle }},
}

// BugNames returns the names of the bugs set in b.
func BugNames(b plant.Bugs) []string {
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
func ParseBugs(list string) (plant.Bugs, error) {
	var b plant.Bugs
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

// optionBugs maps the command-line name of each planted bug outside the
// core (the driver's, durable storage's, the log's and the key-value
// store's) to its field of Options, so that --bugs plants them and a
// replay command names them.
var optionBugs = []struct {
	name string
	flag func(*Options) *bool
}{
	{"send-before-durable", func(o *Options) *bool { return &o.SendBeforeDurable }},
	{"clock-once-per-drain", func(o *Options) *bool { return &o.ClockOncePerDrain }},
	{"timers-before-inbox", func(o *Options) *bool { return &o.TimersBeforeInbox }},
	{"ack-before-durable", func(o *Options) *bool { return &o.AckBeforeDurable }},
	{"delta-from-other-chain", func(o *Options) *bool { return &o.DeltaFromOtherChain }},
	{"retain-appended", func(o *Options) *bool { return &o.RetainAppended }},
	{"never-asked", func(o *Options) *bool { return &o.NeverAsked }},
	{"truncate-before-checkpoint", func(o *Options) *bool { return &o.TruncateBeforeCheckpoint }},
	{"ignore-sync-records", func(o *Options) *bool { return &o.IgnoreSyncRecords }},
	{"ignore-io-errors", func(o *Options) *bool { return &o.IgnoreIOErrors }},
	{"short-read-is-end", func(o *Options) *bool { return &o.ShortReadIsEnd }},
	{"zero-is-end", func(o *Options) *bool { return &o.ZeroIsEnd }},
	{"kv-free-at-once", func(o *Options) *bool { return &o.KVFreeAtOnce }},
}

// AllOptionBugNames returns the name of every planted bug outside the
// core (Options' fields), which SetBugs accepts beside AllBugNames.
func AllOptionBugNames() []string {
	names := make([]string, len(optionBugs))
	for i, f := range optionBugs {
		names[i] = f.name
	}
	return names
}

// SetBugs plants the bugs of a comma-separated list in o: core bugs
// (AllBugNames) in o.Bugs, the others (AllOptionBugNames) in their
// fields of o. An unknown name is an error wrapping ErrBadOptions.
func SetBugs(o *Options, list string) error {
	var core []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, f := range optionBugs {
			if f.name == name {
				*f.flag(o), found = true, true
			}
		}
		if !found {
			core = append(core, name)
		}
	}
	bugs, err := ParseBugs(strings.Join(core, ","))
	if err != nil {
		return fmt.Errorf("%w (or: %s)", err, strings.Join(AllOptionBugNames(), ", "))
	}
	o.Bugs = bugs
	return nil
}

// plantedNames returns the names of every bug planted in o: the core's,
// then the others.
func plantedNames(o Options) []string {
	names := BugNames(o.Bugs)
	for _, f := range optionBugs {
		if *f.flag(&o) {
			names = append(names, f.name)
		}
	}
	return names
}
