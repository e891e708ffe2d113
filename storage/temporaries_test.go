package storage

import (
	"os"
	"path/filepath"
	"testing"

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
