package core

import (
	"hash/crc32"
	"testing"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// chunkAt returns a chunk of 10 bytes from replica from, of a checkpoint
// at op of size bytes, at offset.
func chunkAt(from uint8, op, size, offset uint64) *message.CheckpointChunk {
	data := make([]byte, 10)
	return &message.CheckpointChunk{Replica: from, Op: op, Size: size, Offset: offset, Data: data,
		Checksum: crc32.Checksum(data, castagnoli)}
}

// TestFetchContinuesInANewerCheckpoint: a replica that assembled 50 bytes
// of the checkpoint at op 20 (asking replica 1) and receives from 1 the
// chunk at offset 50 of the one at 25 (1 replaced 20 by 25, of the same
// chain: driver/serve.go) goes on in 25 and asks for its next chunk. A
// chunk of 25 at another offset, from a replica it did not ask last, or
// beyond its commit-number, changes nothing. With plant FetchRestarts it
// stays on 20 (its next answer is the first chunk of 25: a fresh start).
func TestFetchContinuesInANewerCheckpoint(t *testing.T) {
	r := fetchingReplica(t, plant.Bugs{})
	r.fetch.from = 1
	r.onCheckpointChunk(chunkAt(1, 25, 120, 40)) // another offset
	r.onCheckpointChunk(chunkAt(2, 25, 120, 50)) // not the replica asked
	r.onCheckpointChunk(chunkAt(1, 35, 120, 50)) // beyond commit 30
	if r.fetch.op != 20 || r.fetch.got != 50 {
		t.Fatalf("after chunks that do not continue it: fetching op %d with %d bytes, want 20 and 50", r.fetch.op, r.fetch.got)
	}
	r.onCheckpointChunk(chunkAt(1, 25, 120, 50))
	if r.fetch.op != 25 || r.fetch.size != 120 || r.fetch.got != 60 {
		t.Fatalf("after the chunk of 25 at 50: fetching op %d (size %d) with %d bytes, want 25 (120) and 60", r.fetch.op, r.fetch.size, r.fetch.got)
	}
	msgs := r.Output().Messages
	if len(msgs) != 1 {
		t.Fatalf("sent %+v, want one GetCheckpoint", msgs)
	}
	if g, ok := msgs[0].Msg.(*message.GetCheckpoint); !ok || g.Op != 25 || g.Offset != 60 {
		t.Fatalf("sent %+v, want GetCheckpoint op 25 offset 60", msgs[0].Msg)
	}

	planted := fetchingReplica(t, plant.Bugs{FetchRestarts: true})
	planted.fetch.from = 1
	planted.onCheckpointChunk(chunkAt(1, 25, 120, 50))
	if planted.fetch.op != 20 || planted.fetch.got != 50 {
		t.Fatalf("planted: fetching op %d with %d bytes, want 20 and 50", planted.fetch.op, planted.fetch.got)
	}
}

// TestLogJumpKeepsTheFetch: a replica without state whose log is full
// drops its committed entries up to the primary's base (28), past the
// checkpoint it fetches (20): the fetch goes on (its source continues it
// in a newer checkpoint, or the state installed at 20 only needs the
// records after it). With plant FetchRestarts what it assembled is
// dropped: under load such a fetch never ended.
func TestLogJumpKeepsTheFetch(t *testing.T) {
	for _, planted := range []bool{false, true} {
		r := fetchingReplica(t, plant.Bugs{FetchRestarts: planted})
		r.primaryBase = 28
		r.cfg.MaxMessageBytes = r.logBytes + message.MaxFixedSize + message.EntriesSize(nil) // full
		r.hasRoom(1)
		if r.base != 28 {
			t.Fatalf("planted %v: log base %d after hasRoom, want 28", planted, r.base)
		}
		kept := r.fetch.op == 20 && r.fetch.got == 50
		if kept == planted {
			t.Fatalf("planted %v: fetch op %d with %d bytes after the jump", planted, r.fetch.op, r.fetch.got)
		}
	}
}
