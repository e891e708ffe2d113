package pebblekv

import (
	"bytes"
	"io"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// TestDeltaAbsorb: a snapshot that absorbs the one before it writes the
// changes of both, byte-identical to kv's, and a mirror at the state the
// first one started from reaches the second's state by applying it.
// Absorbing fails, leaving no delta, when the snapshots are not adjacent
// or their changes together exceed the tracking limit.
func TestDeltaAbsorb(t *testing.T) {
	ref, got := kv.New(testLimits), openTest(t, testLimits)
	run := lockstep(7, ref, got)
	run(200)
	mirror := openTest(t, testLimits)
	if err := mirror.Restore(reader(t, got.Snapshot())); err != nil {
		t.Fatal(err)
	}
	ref.Snapshot()
	run(20)
	r1, g1 := ref.Snapshot(), got.Snapshot()
	run(20)
	r2, g2 := ref.Snapshot().(core.DeltaSnapshot), got.Snapshot().(core.DeltaSnapshot)
	if !r2.Absorb(r1) {
		t.Fatal("kv: adjacent snapshots did not absorb: the test writes too much")
	}
	if !g2.Absorb(g1) || !g2.HasDelta() {
		t.Fatal("adjacent snapshots did not absorb")
	}
	var rd, gd bytes.Buffer
	if _, err := r2.WriteDeltaTo(&rd); err != nil {
		t.Fatal(err)
	}
	if _, err := g2.WriteDeltaTo(&gd); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rd.Bytes(), gd.Bytes()) {
		t.Fatalf("absorbed deltas differ: %d bytes from kv, %d from pebblekv", rd.Len(), gd.Len())
	}
	if err := mirror.ApplyDelta(&gd); err != nil {
		t.Fatalf("applying the absorbed delta: %v", err)
	}
	if a, b := reader(t, mirror.Snapshot()), reader(t, g2); !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the mirror's state differs from the snapshot's after the absorbed delta")
	}

	run(50)
	got.Snapshot() // the snapshot just before g4, not g1
	run(50)
	g4 := got.Snapshot().(core.DeltaSnapshot)
	if g4.Absorb(g1) || g4.HasDelta() {
		t.Fatal("a snapshot absorbed one that was not just before it")
	}
	got.trackLimit = 120
	run(50)
	g5 := got.Snapshot()
	run(50)
	g6 := got.Snapshot().(core.DeltaSnapshot)
	if !g6.HasDelta() || !g5.(core.DeltaSnapshot).HasDelta() {
		t.Fatal("50 ops exceeded the tracking limit: the test needs fewer")
	}
	if g6.Absorb(g5) || g6.HasDelta() {
		t.Fatal("absorbing changes beyond the tracking limit succeeded")
	}
}

// reader returns what s writes.
func reader(t *testing.T, s io.WriterTo) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return &b
}
