package pebblekv

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/kv"
)

// put is the encoded Put of key i with a value derived from i and round.
func put(i, round int) []byte {
	return kv.NewPut([]byte(fmt.Sprintf("key-%04d", i)), []byte(fmt.Sprintf("value-%d-%d", i, round))).Encode()
}

// TestCheckpointIsolatedFromLaterOps checks that a checkpoint holds the
// state at the time it was taken, with its op-number, even though the
// source goes on applying ops and compacting afterwards.
func TestCheckpointIsolatedFromLaterOps(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "db"), kv.Limits{})
	ref := kv.New(kv.Limits{})
	for i := range 2000 {
		s.Apply(s.Applied()+1, put(i, 0))
		ref.Apply(0, put(i, 0))
	}
	want := ref.Bytes()
	if err := s.Checkpoint(filepath.Join(dir, "ckpt")); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		s.Apply(s.Applied()+1, put(i, 1))
		s.Apply(s.Applied()+1, kv.NewDelete([]byte(fmt.Sprintf("key-%04d", i/2))).Encode())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c := openTest(t, filepath.Join(dir, "ckpt"), kv.Limits{})
	defer c.Close()
	if c.Applied() != 2000 || c.Revision() != ref.Revision() {
		t.Fatalf("checkpoint at op %d revision %d, want 2000 and %d", c.Applied(), c.Revision(), ref.Revision())
	}
	if !bytes.Equal(c.Bytes(), want) {
		t.Fatal("checkpoint contents differ from the state it was taken at")
	}
}

// TestCheckpointDirMustNotExist checks that a checkpoint never overwrites.
func TestCheckpointDirMustNotExist(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "db"), kv.Limits{})
	defer s.Close()
	if err := s.Checkpoint(t.TempDir()); err == nil {
		t.Fatal("checkpoint into an existing directory succeeded")
	}
}

// TestCloseKeepsState checks that a clean Close loses nothing although
// Pebble has no WAL: Close flushes.
func TestCloseKeepsState(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := openTest(t, dir, kv.Limits{})
	for i := range 100 {
		s.Apply(s.Applied()+1, put(i, 0))
	}
	want := s.Bytes()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, kv.Limits{})
	defer s.Close()
	if s.Applied() != 100 || !bytes.Equal(s.Bytes(), want) {
		t.Fatalf("reopened at op %d with different contents", s.Applied())
	}
}

// TestApplyAtOpNumbers checks that op-numbers may skip but never repeat or
// go back, and that a rejected op changes nothing.
func TestApplyAtOpNumbers(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "db"), kv.Limits{})
	defer s.Close()
	if _, err := s.ApplyAt(5, put(1, 0)); err != nil {
		t.Fatal(err)
	}
	for _, op := range []uint64{5, 4, 0} {
		if _, err := s.ApplyAt(op, put(2, 0)); !errors.Is(err, ErrApplied) {
			t.Fatalf("ApplyAt(%d) after 5: %v, want ErrApplied", op, err)
		}
	}
	if s.Applied() != 5 || s.Revision() != 1 {
		t.Fatalf("applied %d revision %d, want 5 and 1", s.Applied(), s.Revision())
	}
	s.Apply(s.Applied()+1, put(3, 0))
	if s.Applied() != 6 {
		t.Fatalf("Apply after op 5 applied op %d, want 6", s.Applied())
	}
}
