package pebblekv

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/vr-go/vr/kv"
)

// openTest opens a store in a test directory, closed at the end.
func openTest(t testing.TB, limits kv.Limits) *Store {
	t.Helper()
	s, err := Open(t.TempDir()+"/state", Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// TestDifferential feeds the same random commands (every kind, batches,
// every limit, undecodable ones, keys with 0x00 and 0xff) to kv.Store and
// pebblekv.Store and requires byte-identical results, and every 250 ops
// equal revisions and snapshot bytes. Halfway through
// each engine restores the other's snapshot, so that restores across
// engines are checked too.
func TestDifferential(t *testing.T) {
	for seed := range uint64(4) {
		ref := kv.New(testLimits)
		got := openTest(t, testLimits)
		g := &gen{r: rand.New(rand.NewPCG(seed, 99)), ref: ref}
		const ops = 6000
		for i := range ops {
			op := g.op()
			want, have := ref.Apply(uint64(i+1), op), got.Apply(uint64(i+1), op)
			if !bytes.Equal(want, have) {
				t.Fatalf("seed %d op %d %x: pebblekv %x, kv %x", seed, i, op, have, want)
			}
			if q, ok := got.Query(op); ok != ref.ReadOnly(op) || (ok && !bytes.Equal(q, want)) {
				t.Fatalf("seed %d op %d: Query %x %v, want %x %v", seed, i, q, ok, want, ref.ReadOnly(op))
			}
			if i%250 == 249 {
				compareStores(t, ref, got)
			}
			if i == ops/2 {
				crossRestore(t, ref, got)
			}
		}
	}
}

// compareStores requires equal revisions and snapshots (which hold the
// whole state).
func compareStores(t *testing.T, ref *kv.Store, got *Store) {
	t.Helper()
	if ref.Revision() != got.Revision() {
		t.Fatalf("revision %d (kv), %d (pebblekv)", ref.Revision(), got.Revision())
	}
	var want, have bytes.Buffer
	if _, err := ref.Snapshot().WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	if _, err := got.Snapshot().WriteTo(&have); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Bytes(), have.Bytes()) {
		t.Fatalf("snapshots differ: %d bytes from kv, %d from pebblekv", want.Len(), have.Len())
	}
}

// crossRestore restores each store from the other's snapshot.
func crossRestore(t *testing.T, ref *kv.Store, got *Store) {
	t.Helper()
	var a, b bytes.Buffer
	if _, err := ref.Snapshot().WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := got.Snapshot().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if err := got.Restore(&a); err != nil {
		t.Fatalf("pebblekv restoring kv's snapshot: %v", err)
	}
	if err := ref.Restore(&b); err != nil {
		t.Fatalf("kv restoring pebblekv's snapshot: %v", err)
	}
	compareStores(t, ref, got)
}
