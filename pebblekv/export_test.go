package pebblekv

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// TestExportLeavesTheDeltaAlone: Export writes the same bytes as a
// snapshot of the same state, and the next snapshot's delta still starts
// at the snapshot before the export (byte-identical to kv's delta over
// the same ops, kv.Store.Bytes being kv's export), on an in-memory file
// system.
func TestExportLeavesTheDeltaAlone(t *testing.T) {
	got, err := Open("/state", Options{Limits: testLimits, FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	ref := kv.New(testLimits)
	g := &gen{r: rand.New(rand.NewPCG(11, 11)), ref: ref}
	op := 0
	run := func(n int) {
		for range n {
			op++
			c := g.op()
			ref.Apply(uint64(op), c)
			got.Apply(uint64(op), c)
		}
	}
	run(100)
	ref.Snapshot()
	got.Snapshot()
	run(30)
	var exported bytes.Buffer
	if _, err := got.Export(&exported); err != nil {
		t.Fatal(err)
	}
	if want := ref.Bytes(); !bytes.Equal(exported.Bytes(), want) {
		t.Fatalf("Export wrote %d bytes unlike kv's snapshot of the same state (%d bytes)", exported.Len(), len(want))
	}
	run(30)
	rd, gd := ref.Snapshot().(core.DeltaSnapshot), got.Snapshot().(core.DeltaSnapshot)
	if !gd.HasDelta() || !rd.HasDelta() {
		t.Fatalf("deltas: pebble %v, kv %v; want both", gd.HasDelta(), rd.HasDelta())
	}
	var pb, kb bytes.Buffer
	if _, err := gd.WriteDeltaTo(&pb); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.WriteDeltaTo(&kb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pb.Bytes(), kb.Bytes()) {
		t.Fatalf("after an export, pebble's delta (%d bytes) differs from kv's over the same 60 ops (%d bytes)", pb.Len(), kb.Len())
	}
}
