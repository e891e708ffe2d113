package core_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// deltaChain builds a full record at op 1 and delta records at ops 2 and 3
// of a kv store, and returns their bytes and the store.
func deltaChain(t *testing.T) ([][]byte, *kv.Store) {
	t.Helper()
	st := kv.New(kv.Limits{})
	var recs [][]byte
	for op := uint64(1); op <= 3; op++ {
		for i := range 50 {
			st.Execute(kv.NewPut([]byte(fmt.Sprintf("k%d", (int(op)*37+i)%80)), []byte(fmt.Sprint(op))))
		}
		st.Execute(kv.NewDelete([]byte(fmt.Sprintf("k%d", op))))
		ck := core.TakeCheckpoint(op, op-1, st.Snapshot())
		var b bytes.Buffer
		var err error
		if op == 1 {
			_, err = ck.WriteTo(&b)
		} else {
			_, err = ck.WriteDeltaTo(&b)
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, b.Bytes())
	}
	return recs, st
}

// TestChainVerifiesAndRestores: a full record and two deltas verify as the
// checkpoint of the last one's op and restore the state; every way to get
// the chain wrong fails Verify.
func TestChainVerifiesAndRestores(t *testing.T) {
	recs, st := deltaChain(t)
	good := bytes.Join(recs, nil)
	ck := core.CheckpointBytes(3, good)
	if err := ck.Verify(); err != nil {
		t.Fatal(err)
	}
	got := kv.New(kv.Limits{})
	if err := core.RestoreState(ck, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), st.Bytes()) {
		t.Fatal("the chain restored another state")
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-len(recs[2])/2] ^= 1
	bad := map[string]*core.Checkpoint{
		"a delta missing":           core.CheckpointBytes(3, bytes.Join([][]byte{recs[0], recs[2]}, nil)),
		"no full record":            core.CheckpointBytes(3, bytes.Join(recs[1:], nil)),
		"deltas out of order":       core.CheckpointBytes(3, bytes.Join([][]byte{recs[0], recs[2], recs[1]}, nil)),
		"another op":                core.CheckpointBytes(2, good),
		"the last delta missing":    core.CheckpointBytes(3, bytes.Join(recs[:2], nil)),
		"a flipped byte":            core.CheckpointBytes(3, flipped),
		"a delta alone":             core.CheckpointBytes(3, recs[2]),
		"bytes after the last":      core.CheckpointBytes(3, append(bytes.Clone(good), 0)),
		"a full record repeated":    core.CheckpointBytes(1, bytes.Join([][]byte{recs[0], recs[0]}, nil)),
		"a delta cut in the middle": core.CheckpointBytes(3, good[:len(good)-len(recs[2])/2]),
	}
	for name, ck := range bad {
		if err := ck.Verify(); !errors.Is(err, core.ErrBadCheckpoint) {
			t.Errorf("%s: Verify = %v, want ErrBadCheckpoint", name, err)
		}
	}
}

// TestAbsorbCoversReplaced: a checkpoint that replaces one never written
// absorbs it; its delta then starts where the replaced one's did, and the
// chain without the replaced one restores the state. Without Absorb the
// delta starts at the replaced checkpoint, which the chain lacks.
func TestAbsorbCoversReplaced(t *testing.T) {
	st := kv.New(kv.Limits{})
	st.Execute(kv.NewPut([]byte("a"), []byte("1")))
	ck1 := core.TakeCheckpoint(1, 0, st.Snapshot())
	var full bytes.Buffer
	if _, err := ck1.WriteTo(&full); err != nil {
		t.Fatal(err)
	}
	st.Execute(kv.NewPut([]byte("b"), []byte("2")))
	ck2 := core.TakeCheckpoint(2, 1, st.Snapshot()) // replaced: never written
	st.Execute(kv.NewDelete([]byte("a")))
	ck3 := core.TakeCheckpoint(3, 2, st.Snapshot())
	if from, ok := ck3.DeltaFrom(); !ok || from != 2 {
		t.Fatalf("before Absorb: delta from %d (%v), want 2", from, ok)
	}
	ck3.Absorb(ck2)
	if from, ok := ck3.DeltaFrom(); !ok || from != 1 {
		t.Fatalf("after Absorb: delta from %d (%v), want 1", from, ok)
	}
	var d bytes.Buffer
	if _, err := ck3.WriteDeltaTo(&d); err != nil {
		t.Fatal(err)
	}
	got := kv.New(kv.Limits{})
	if err := core.RestoreState(core.CheckpointBytes(3, append(full.Bytes(), d.Bytes()...)), got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), st.Bytes()) {
		t.Fatal("base + absorbed delta restored another state")
	}
}
