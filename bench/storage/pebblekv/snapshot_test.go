package pebblekv

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/kv"
)

// TestRestoreFromKV moves a kv.Store snapshot into Pebble, over existing
// contents, and back.
func TestRestoreFromKV(t *testing.T) {
	ref := kv.New(kv.Limits{})
	for i := range 300 {
		ref.Apply(0, put(i, 0))
		if i%3 == 0 {
			ref.Apply(0, kv.NewDelete([]byte("key-0001")).Encode())
		}
	}
	snap := ref.Bytes()
	s := openTest(t, filepath.Join(t.TempDir(), "db"), kv.Limits{})
	defer s.Close()
	for i := range 500 {
		s.Apply(s.Applied()+1, put(i, 9)) // stale contents that Restore must remove
	}
	if err := s.RestoreAt(42, snap); err != nil {
		t.Fatal(err)
	}
	if s.Applied() != 42 || s.Revision() != ref.Revision() || !bytes.Equal(s.Bytes(), snap) {
		t.Fatalf("restored at op %d revision %d with different contents", s.Applied(), s.Revision())
	}
	back := kv.New(kv.Limits{})
	if err := back.Restore(bytes.NewReader(s.Bytes())); err != nil || back.Digest() != ref.Digest() {
		t.Fatalf("kv could not take the Pebble snapshot back: %v", err)
	}
}

// TestRestoreRejectsBadSnapshots flips, truncates and extends a snapshot
// and requires ErrBadSnapshot with the state unchanged.
func TestRestoreRejectsBadSnapshots(t *testing.T) {
	ref := kv.New(kv.Limits{})
	for i := range 20 {
		ref.Apply(0, put(i, 0))
	}
	good := ref.Bytes()
	s := openTest(t, filepath.Join(t.TempDir(), "db"), kv.Limits{})
	defer s.Close()
	s.Apply(s.Applied()+1, put(1, 1))
	before := s.Bytes()
	bad := [][]byte{nil, good[:len(good)-1], append(bytes.Clone(good), 0)}
	for i := 0; i < len(good); i += 7 {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		bad = append(bad, b)
	}
	for i, b := range bad {
		if err := s.Restore(b); !errors.Is(err, kv.ErrBadSnapshot) {
			t.Fatalf("bad snapshot %d: %v, want ErrBadSnapshot", i, err)
		}
	}
	if !bytes.Equal(s.Bytes(), before) || s.Applied() != 1 {
		t.Fatal("a rejected snapshot changed the state")
	}
}
