package core

import (
	"errors"
	"hash/crc32"
	"testing"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// fetchingReplica returns replica 2 of 3 whose log holds ops 21..30 above
// base 20, commit 30, executed 5: it needs a checkpoint in [20, 30], and
// has assembled 50 bytes of the one at op 20 (100 bytes).
func fetchingReplica(t *testing.T, bugs plant.Bugs) *Replica {
	t.Helper()
	r := heldLogReplica(t, 2, 30, 5, 30, bugs)
	r.base, r.log = 20, viewLog(21, 30)
	r.recountLog()
	r.fetch = fetchState{active: true, op: 20, size: 100, got: 50}
	return r
}

// firstChunk returns the first chunk (10 bytes) of a checkpoint at op of
// size bytes.
func firstChunk(op, size uint64) *message.CheckpointChunk {
	data := make([]byte, 10)
	return &message.CheckpointChunk{Replica: 1, Op: op, Size: size, Offset: 0, Data: data,
		Checksum: crc32.Checksum(data, castagnoli)}
}

// TestFetchMovesToNewerCheckpoint: a replica fetching the checkpoint at op
// 20 that receives the first chunk of the one at 25 (the answer of a
// replica that no longer holds 20, driver/serve.go) moves to it and asks
// for its next chunk; a first chunk beyond its commit-number, or of an
// older checkpoint, changes nothing. With plant FetchPinned it stays on 20.
func TestFetchMovesToNewerCheckpoint(t *testing.T) {
	r := fetchingReplica(t, plant.Bugs{})
	r.onCheckpointChunk(firstChunk(35, 40)) // beyond commit 30
	r.onCheckpointChunk(firstChunk(15, 40)) // older
	if r.fetch.op != 20 || r.fetch.got != 50 {
		t.Fatalf("after chunks of 35 and 15: fetching op %d with %d bytes, want 20 and 50", r.fetch.op, r.fetch.got)
	}
	r.onCheckpointChunk(firstChunk(25, 40))
	if r.fetch.op != 25 || r.fetch.size != 40 || r.fetch.got != 10 {
		t.Fatalf("after the first chunk of 25: fetching op %d (size %d) with %d bytes, want 25 (40) and 10",
			r.fetch.op, r.fetch.size, r.fetch.got)
	}
	msgs := r.Output().Messages
	if len(msgs) != 1 {
		t.Fatalf("sent %+v, want one GetCheckpoint", msgs)
	}
	if g, ok := msgs[0].Msg.(*message.GetCheckpoint); !ok || g.Op != 25 || g.Offset != 10 {
		t.Fatalf("sent %+v, want GetCheckpoint op 25 offset 10", msgs[0].Msg)
	}

	pinned := fetchingReplica(t, plant.Bugs{FetchPinned: true})
	pinned.onCheckpointChunk(firstChunk(25, 40))
	if pinned.fetch.op != 20 || pinned.fetch.got != 50 {
		t.Fatalf("planted: fetching op %d with %d bytes, want 20 and 50", pinned.fetch.op, pinned.fetch.got)
	}
}

// TestFetchAfterBadInstallAsksItsSource: replica 1 assembles a checkpoint
// whose install fails (its driver reports the failure), then receives the
// first chunk of a newer one before its next retry: it asks the replica it
// asked last for the next chunk. It used to ask replica 0, the zero of a
// reset fetch; replica 0 itself then asked itself and panicked (bandwidth
// seed 92622, once a replica asked for a checkpoint it no longer held
// answered with a newer one).
func TestFetchAfterBadInstallAsksItsSource(t *testing.T) {
	r := heldLogReplica(t, 1, 30, 5, 30, plant.Bugs{})
	r.base, r.log = 20, viewLog(21, 30)
	r.recountLog()
	r.fetch = fetchState{active: true, from: 2, op: 20, size: 60, got: 50}
	last := firstChunk(20, 60)
	last.Offset = 50
	r.onCheckpointChunk(last) // complete: the driver installs it
	in := r.Output().Install
	if in == nil {
		t.Fatal("a complete fetch asked for no install")
	}
	in.Fail(errors.New("60 zero bytes are no checkpoint"))
	r.Installed(in)
	if !r.fetch.active || r.fetch.op != 0 || r.fetch.from != 2 {
		t.Fatalf("after a bad checkpoint: %+v, want an active fetch, no op, source 2", r.fetch)
	}
	r.Output()
	r.onCheckpointChunk(firstChunk(25, 40))
	msgs := r.Output().Messages
	if len(msgs) != 1 || msgs[0].To != 2 {
		t.Fatalf("sent %+v, want one GetCheckpoint to replica 2", msgs)
	}
}
