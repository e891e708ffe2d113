package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/wal"
)

// TestOpenRemovesTemporaries: the half-written checkpoint files a killed
// process left are gone when Open returns, removed at once rather than
// handed to Discard, which would race with this process's own write of
// the same name; other files stay.
func TestOpenRemovesTemporaries(t *testing.T) {
	dir := t.TempDir()
	tmps := []string{CheckpointFile(1400) + ".tmp", DeltaFile(1401) + ".tmp"}
	for _, n := range append(tmps, "unrelated.tmp") {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var discarded []string
	s, _, err := Open(Config{Dir: dir, FS: wal.OS, Discard: func(p []string) { discarded = append(discarded, p...) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, n := range tmps {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s still there after Open (%v)", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "unrelated.tmp")); err != nil {
		t.Errorf("a file not ours was removed: %v", err)
	}
	if len(discarded) > 0 {
		t.Errorf("handed to Discard: %v", discarded)
	}
}

// TestRestartRemovesUnchainedAtOnce: at a restart the checkpoint files of
// no chain (here a link the killed process wrote but never named) are
// removed before the replica writes anything, not handed to the
// background Discard: this process writes the same name again once it
// re-executes that op, and a removal that comes late takes its new file
// (e2e TestDurableWholeClusterCrash: "open checkpoint at op 3900: no such
// file"). The planted old behaviour loses the new file.
func TestRestartRemovesUnchainedAtOnce(t *testing.T) {
	for _, planted := range []bool{false, true} {
		dir := t.TempDir()
		kept, stray := CheckpointFile(3800), CheckpointFile(3900)
		for _, n := range []string{kept, stray} {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var late []string // what the background discarder would remove later
		cfg := Config{Dir: dir, FS: wal.OS, Discard: func(p []string) { late = append(late, p...) }}
		cfg.Plant(plant.Storage{DiscardAtRestart: planted})
		s := &Storage{cfg: cfg.withDefaults()}
		s.removeUnchained(kept)
		// This process writes the checkpoint at op 3900 again, then the
		// discarder runs.
		if err := os.WriteFile(filepath.Join(dir, stray), []byte("new"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, p := range late {
			_ = os.Remove(p)
		}
		_, err := os.Stat(filepath.Join(dir, stray))
		if lost := os.IsNotExist(err); lost != planted {
			t.Fatalf("planted %v: the checkpoint written after the restart lost=%v", planted, lost)
		}
		if _, err := os.Stat(filepath.Join(dir, kept)); err != nil {
			t.Fatalf("planted %v: the chain's file was removed: %v", planted, err)
		}
	}
}
