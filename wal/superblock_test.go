package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vr-go/vr/core"
)

func sbN(n uint64) Superblock {
	return Superblock{View: n, LastNormalView: n - 1, PromisedView: n + 1, Commit: 10 * n,
		Epoch: 3, CheckpointOp: 5 * n, CheckpointName: strings.Repeat("c", int(n))}
}

func mustWriteSB(t *testing.T, dir string, sb Superblock) {
	t.Helper()
	if err := WriteSuperblock(OS, dir, sb); err != nil {
		t.Fatal(err)
	}
}

func mustReadSB(t *testing.T, dir string, want Superblock) {
	t.Helper()
	got, err := ReadSuperblock(OS, dir)
	if err != nil || got != want {
		t.Fatalf("ReadSuperblock: %+v, %v; want %+v", got, err, want)
	}
}

func TestSuperblockAlternatesSlots(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadSuperblock(OS, dir); !errors.Is(err, ErrNoSuperblock) {
		t.Fatalf("fresh: %v, want ErrNoSuperblock", err)
	}
	var prev [2][]byte
	for n := uint64(1); n <= 6; n++ {
		mustWriteSB(t, dir, sbN(n))
		mustReadSB(t, dir, sbN(n))
		// Exactly one slot changed: the one that was older.
		slot := int((n - 1) % 2)
		for i, name := range slotFiles {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			if changed := string(b) != string(prev[i]); changed != (i == slot) {
				t.Fatalf("write %d: slot %s changed=%v", n, name, changed)
			}
			prev[i] = b
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "superblock.a.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary slot left behind: %v", err)
	}
}

// setupSB writes superblocks 1..4: slot b holds 4 (newest), slot a holds 3.
func setupSB(t *testing.T) string {
	dir := t.TempDir()
	for n := uint64(1); n <= 4; n++ {
		mustWriteSB(t, dir, sbN(n))
	}
	return dir
}

// damage rewrites a slot file through f.
func damage(t *testing.T, dir, slot string, f func(b []byte) []byte) {
	path := filepath.Join(dir, slot)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

func flipAt(i int) func([]byte) []byte { return func(b []byte) []byte { b[i] ^= 1; return b } }
func cut(n int) func([]byte) []byte    { return func(b []byte) []byte { return b[:n] } }

func TestSuperblockDamage(t *testing.T) {
	t.Run("corrupt newest", func(t *testing.T) {
		for _, i := range []int{0, 5, 9, 20, 70, slotSize - 1} {
			dir := setupSB(t)
			damage(t, dir, "superblock.b", flipAt(i))
			mustReadSB(t, dir, sbN(3))
			// The next write replaces the damaged slot, not the good one.
			mustWriteSB(t, dir, sbN(5))
			mustReadSB(t, dir, sbN(5))
			damage(t, dir, "superblock.b", flipAt(i))
			mustReadSB(t, dir, sbN(3))
		}
	})
	t.Run("torn write", func(t *testing.T) {
		for _, n := range []int{0, 1, 100, slotSize - 1} {
			dir := setupSB(t)
			damage(t, dir, "superblock.b", cut(n))
			mustReadSB(t, dir, sbN(3))
		}
	})
	t.Run("both corrupt", func(t *testing.T) {
		dir := setupSB(t)
		damage(t, dir, "superblock.a", flipAt(30))
		damage(t, dir, "superblock.b", cut(10))
		if _, err := ReadSuperblock(OS, dir); !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNoSuperblock) {
			t.Fatalf("both corrupt: %v, want ErrCorrupt", err)
		}
	})
	t.Run("one missing one corrupt", func(t *testing.T) {
		dir := t.TempDir()
		mustWriteSB(t, dir, sbN(1))
		damage(t, dir, "superblock.a", flipAt(30))
		if _, err := ReadSuperblock(OS, dir); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%v, want ErrCorrupt", err)
		}
	})
}

func TestSuperblockLimitsAndHardState(t *testing.T) {
	dir := t.TempDir()
	sb := Superblock{CheckpointName: strings.Repeat("x", MaxCheckpointName+1)}
	if err := WriteSuperblock(OS, dir, sb); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("long name: %v", err)
	}
	sb.CheckpointName = strings.Repeat("x", MaxCheckpointName)
	mustWriteSB(t, dir, sb)
	mustReadSB(t, dir, sb)
	hs := core.HardState{View: 7, LastNormalView: 6, PromisedView: 8, Commit: 99, AnnouncedView: 9}
	if got := sb.WithHardState(hs).HardState(); !equalHard(got, hs) {
		t.Fatalf("HardState round trip: %+v", got)
	}
	// The announced view survives the disk, with the longest name and an
	// owner beside it.
	sb = sb.WithHardState(hs)
	sb.Owner, sb.Owned = Owner{ClusterID: 3, Replica: 2}, true
	mustWriteSB(t, dir, sb)
	mustReadSB(t, dir, sb)
}
