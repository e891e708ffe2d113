package node

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestOrphanedScratch: only the scratch directories of processes that no
// longer run are removed, their files before them; this process's own,
// a live one's and directories without a pid stay.
func TestOrphanedScratch(t *testing.T) {
	tmp := t.TempDir()
	mk := func(name string, files ...string) string {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	dead := mk(scratchPrefix+"4242-1", "a.ckpt", "b.ckpt")
	mk(scratchPrefix+"4343-2", "c.ckpt")                       // alive
	mk(scratchPrefix+strconv.Itoa(os.Getpid())+"-3", "d.ckpt") // ours
	mk(scratchPrefix+"123456789", "e.ckpt")                    // the old naming: no pid
	alive := func(pid int) bool { return pid == 4343 }
	got := orphanedScratch(tmp, alive)
	want := []string{filepath.Join(dead, "a.ckpt"), filepath.Join(dead, "b.ckpt"), dead}
	if !slices.Equal(got, want) {
		t.Fatalf("orphaned: %v, want %v", got, want)
	}
	if processAlive(os.Getpid()) != true {
		t.Fatal("this process reported dead")
	}
}
