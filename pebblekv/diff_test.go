package pebblekv

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/vr-go/vr/core"
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
// pebblekv.Store and requires byte-identical results, and every 50 ops
// equal revisions and snapshot bytes, and byte-identical deltas whenever
// both engines have one, which two mirrors apply across (mirrors). Halfway
// through each engine restores the other's snapshot, so that restores
// across engines are checked too.
func TestDifferential(t *testing.T) {
	for seed := range uint64(4) {
		ref := kv.New(testLimits)
		got := openTest(t, testLimits)
		g := &gen{r: rand.New(rand.NewPCG(seed, 99)), ref: ref}
		m := &mirrors{kv: kv.New(testLimits), pebble: openTest(t, testLimits)}
		if seed >= 2 { // track few changes, so that some snapshots have no delta
			got.trackLimit, m.pebble.trackLimit = 120, 120
			got.resetChanges(0)
		}
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
			if i%50 == 49 {
				m.follow(t, ref, got)
			}
			if i == ops/2-1 { // right after a follow: the mirrors hold the restored state
				crossRestore(t, ref, got)
			}
		}
		t.Logf("seed %d: %d deltas compared and applied across, %d whole snapshots", seed, m.deltas, m.wholes)
		if m.deltas < 10 || (seed >= 2 && m.wholes < 10) {
			t.Fatalf("seed %d: only %d deltas and %d whole snapshots", seed, m.deltas, m.wholes)
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

// mirrors follow the two stores by their deltas: the kv mirror applies
// pebblekv's deltas and the pebblekv mirror kv's, each restoring the
// other's whole snapshot when there is no delta. Both engines' deltas of
// the same changes must be byte-identical.
type mirrors struct {
	kv     *kv.Store
	pebble *Store
	deltas int // how many deltas were compared
	wholes int // how many snapshots were taken whole
}

// follow snapshots both stores, and brings each mirror up to date.
func (m *mirrors) follow(t *testing.T, ref *kv.Store, got *Store) {
	t.Helper()
	rs, gs := ref.Snapshot().(core.DeltaSnapshot), got.Snapshot().(core.DeltaSnapshot)
	var rb, gb bytes.Buffer
	switch {
	case rs.HasDelta() && gs.HasDelta():
		if _, err := rs.WriteDeltaTo(&rb); err != nil {
			t.Fatal(err)
		}
		if _, err := gs.WriteDeltaTo(&gb); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rb.Bytes(), gb.Bytes()) {
			t.Fatalf("deltas differ: %d bytes from kv, %d from pebblekv", rb.Len(), gb.Len())
		}
		if err := m.pebble.ApplyDelta(bytes.NewReader(rb.Bytes())); err != nil {
			t.Fatalf("pebblekv applying kv's delta: %v", err)
		}
		if err := m.kv.ApplyDelta(bytes.NewReader(gb.Bytes())); err != nil {
			t.Fatalf("kv applying pebblekv's delta: %v", err)
		}
		m.deltas++
	default: // kv tracks fewer changes (half its keys): restore whole
		if _, err := rs.WriteTo(&rb); err != nil {
			t.Fatal(err)
		}
		if _, err := gs.WriteTo(&gb); err != nil {
			t.Fatal(err)
		}
		if err := m.pebble.Restore(bytes.NewReader(rb.Bytes())); err != nil {
			t.Fatal(err)
		}
		if err := m.kv.Restore(bytes.NewReader(gb.Bytes())); err != nil {
			t.Fatal(err)
		}
		m.wholes++
	}
	compareStores(t, ref, got)
	compareStores(t, m.kv, m.pebble)
	compareStores(t, ref, m.pebble)
}
