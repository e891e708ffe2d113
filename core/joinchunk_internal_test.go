package core

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// TestJoinChunkSizeNotAllocated: a joiner that gets the first chunk of its
// epoch's checkpoint announcing 8 GiB (valid data and checksum) allocates
// for the bytes that came, not for the announced size. The old code made
// a buffer of the announced capacity: 8 GiB here, and 2^36-1 bytes killed
// the process (second review).
func TestJoinChunkSizeNotAllocated(t *testing.T) {
	cfg := Config{Join: true, JoinID: 7, Seed: 1}.Defaults()
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.join.epoch, r.join.op = 1, 1
	data := []byte("the first bytes of a checkpoint")
	r.Step(&message.CheckpointChunk{Epoch: 1, Op: 5, Size: 8 << 30, Offset: 0, Data: data, Checksum: crcOf(data)})
	if r.join.ckptOp != 5 || len(r.join.buf) != len(data) {
		t.Fatalf("the chunk was not taken: checkpoint op %d, %d bytes held", r.join.ckptOp, len(r.join.buf))
	}
	if c := cap(r.join.buf); c > 4<<20 {
		t.Fatalf("a chunk announcing 8 GiB made a buffer of %d bytes' capacity", c)
	}
}
