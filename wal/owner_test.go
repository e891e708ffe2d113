package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLockDirRefusesASecondHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d0")
	l, err := LockDir(OS, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Enforced() {
		t.Skip("no flock on this platform")
	}
	_, err = LockDir(OS, dir)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("second LockDir: %v, want a *LockedError", err)
	}
	pid := "pid " + strconv.Itoa(os.Getpid())
	if le.Dir != dir || le.Holder != pid || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), pid) {
		t.Fatalf("error %q (%+v) does not name %s and %s", err, le, dir, pid)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	l2, err := LockDir(OS, dir)
	if err != nil {
		t.Fatalf("LockDir after Release: %v", err)
	}
	l2.Release()
}

func TestClaimDir(t *testing.T) {
	dir := t.TempDir()
	me := Owner{ClusterID: 7, Replica: 0}
	if c, err := ClaimDir(OS, dir, me); err != nil || c != ClaimCreated {
		t.Fatalf("fresh: %v, %v", c, err)
	}
	if c, err := ClaimDir(OS, dir, me); err != nil || c != ClaimMatched {
		t.Fatalf("again: %v, %v", c, err)
	}
	for _, other := range []Owner{{ClusterID: 7, Replica: 2}, {ClusterID: 8, Replica: 0}} {
		_, err := ClaimDir(OS, dir, other)
		var oe *OwnerError
		if !errors.Is(err, ErrWrongOwner) || !errors.As(err, &oe) || oe.Recorded != me || oe.Given != other || oe.Dir != dir {
			t.Fatalf("claim by %v: %v, want an *OwnerError", other, err)
		}
		for _, s := range []string{dir, me.String(), other.String()} {
			if !strings.Contains(err.Error(), s) {
				t.Fatalf("error %q does not say %q", err, s)
			}
		}
	}
	sb, err := ReadSuperblock(OS, dir)
	if err != nil || !sb.Owned || sb.Owner != me {
		t.Fatalf("superblock %+v, %v", sb, err)
	}
}

// TestClaimAdoptsOlderDirectory claims a directory whose superblock was
// written before owners were recorded (its owner bytes are zero): the
// owner is recorded and nothing else changes.
func TestClaimAdoptsOlderDirectory(t *testing.T) {
	dir := t.TempDir()
	old := sbN(3)
	mustWriteSB(t, dir, old)
	for _, name := range slotFiles {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && le.Uint32(b[ownerOffset:]) != 0 {
			t.Fatalf("%s has owner bytes without an owner", name)
		}
	}
	me := Owner{ClusterID: 1, Replica: 2}
	if c, err := ClaimDir(OS, dir, me); err != nil || c != ClaimAdopted {
		t.Fatalf("adopt: %v, %v", c, err)
	}
	want := old
	want.Owner, want.Owned = me, true
	mustReadSB(t, dir, want)
	if _, err := ClaimDir(OS, dir, Owner{ClusterID: 1, Replica: 0}); !errors.Is(err, ErrWrongOwner) {
		t.Fatalf("after adoption: %v", err)
	}
}

func TestClaimDirCorruptSuperblock(t *testing.T) {
	dir := setupSB(t)
	damage(t, dir, "superblock.a", flipAt(30))
	damage(t, dir, "superblock.b", flipAt(30))
	if _, err := ClaimDir(OS, dir, Owner{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("%v, want ErrCorrupt", err)
	}
}
