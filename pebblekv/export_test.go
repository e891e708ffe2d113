package pebblekv

import (
	"bytes"
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
	run := lockstep(11, ref, got)
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
	if pb, kb := deltaBytes(t, gd), deltaBytes(t, rd); !bytes.Equal(pb, kb) {
		t.Fatalf("after an export, pebble's delta (%d bytes) differs from kv's over the same 60 ops (%d bytes)", len(pb), len(kb))
	}
}
