package pebblekv

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/kv"
)

// TestDifferential feeds the same random command stream to kv.Store and a
// pebblekv.Store and requires byte-identical results, revisions and
// snapshots. Halfway it checkpoints the Pebble store, closes it and goes on
// from the checkpoint, which must resume at the same op-number.
func TestDifferential(t *testing.T) {
	const steps = 6000
	for seed := uint64(1); seed <= 4; seed++ {
		ref := kv.New(testLimits)
		g := &gen{r: rand.New(rand.NewPCG(seed, 7)), ref: ref}
		dir := t.TempDir()
		s := openTest(t, filepath.Join(dir, "db"), testLimits)
		for i := 1; i <= steps; i++ {
			op := g.op()
			want, got := ref.Apply(0, op), s.Apply(s.Applied()+1, op)
			if !bytes.Equal(want, got) {
				t.Fatalf("seed %d op %d %x: kv %x, pebble %x", seed, i, op, want, got)
			}
			if i%500 == 0 {
				compareStores(t, ref, s, uint64(i))
			}
			if i == steps/2 {
				s = reopenFromCheckpoint(t, s, filepath.Join(dir, "ckpt"))
				compareStores(t, ref, s, uint64(i))
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// compareStores requires equal revisions and snapshots and the expected
// applied op-number.
func compareStores(t *testing.T, ref *kv.Store, s *Store, applied uint64) {
	t.Helper()
	if s.Applied() != applied {
		t.Fatalf("applied %d, want %d", s.Applied(), applied)
	}
	if s.Revision() != ref.Revision() {
		t.Fatalf("revision %d, kv has %d", s.Revision(), ref.Revision())
	}
	if want, got := ref.Snapshot(), s.Snapshot(); !bytes.Equal(want, got) {
		t.Fatalf("at op %d snapshots differ:\nkv     %x\npebble %x", applied, want, got)
	}
}

// reopenFromCheckpoint checkpoints s into dir, closes s and opens dir.
func reopenFromCheckpoint(t *testing.T, s *Store, dir string) *Store {
	t.Helper()
	if err := s.Checkpoint(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return openTest(t, dir, s.Limits())
}

// openTest opens a store or fails the test.
func openTest(t *testing.T, dir string, limits kv.Limits) *Store {
	t.Helper()
	s, err := Open(dir, Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
