package driver

import (
	"bytes"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// TestServeContinuesInANewerCheckpointOfTheChain: asked to resume a fetch
// of the checkpoint at 20 (chain BASE10 dd15 ddd20), which it replaced by
// the one at 25 of the same chain (the same records and one more delta),
// the driver sends the asked offset of 25, whose bytes so far are the
// same; resuming records after 15 likewise, also from the deltas of the
// chain before a rebase (Older). A chain rebased since (a new
// base at 25), or one without the record of 20, starts over at offset 0
// of the newest in range. With plant ServeNoContinuation, the first chunk
// of 25 in every case (the old behaviour: the fetch starts over).
func TestServeContinuesInANewerCheckpointOfTheChain(t *testing.T) {
	grown := []byte("BASE10dd15ddd20d25")
	grownLinks := []HeldLink{{10, 6}, {15, 4}, {20, 5}, {25, 3}}
	rebased := []byte("BASE25")
	cases := []struct {
		name     string
		held     Held
		m        message.GetCheckpoint
		want     string // the chunk's data
		wantOff  uint64
		wantSize uint64
		planted  string // the chunk's data with the plant: the first of 25
	}{
		{"same chain, whole", Held{Op: 25, Size: uint64(len(grown)), Data: bytes.NewReader(grown), Links: grownLinks},
			message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, Op: 20, Offset: 8}, "15ddd20d", 8, 18, "BASE10dd"},
		{"same chain, after 15", Held{Op: 25, Size: uint64(len(grown)), Data: bytes.NewReader(grown), Links: grownLinks},
			message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, Op: 20, After: 15, Offset: 3}, "20d25", 3, 8, "ddd20d25"},
		{"rebased", Held{Op: 25, Size: uint64(len(rebased)), Data: bytes.NewReader(rebased), Links: []HeldLink{{25, 6}}},
			message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, Op: 20, Offset: 8}, "BASE25", 0, 6, "BASE25"},
		{"after 15, from the older deltas", Held{Op: 25, Size: uint64(len(rebased)), Data: bytes.NewReader(rebased), Links: []HeldLink{{25, 6}},
			Older: &Held{Op: 25, Size: 12, Data: bytes.NewReader([]byte("dd15ddd20d25")), Links: []HeldLink{{15, 4}, {20, 5}, {25, 3}}}},
			message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, Op: 20, After: 15, Offset: 3}, "20d25", 3, 8, "ddd20d25"},
		{"no record of 20", Held{Op: 25, Size: uint64(len(grown)), Data: bytes.NewReader(grown), Links: []HeldLink{{10, 6}, {15, 4}, {25, 8}}},
			message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, Op: 20, Offset: 8}, "BASE10dd", 0, 18, "BASE10dd"},
	}
	for _, planted := range []bool{false, true} {
		for _, c := range cases {
			r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
			if err != nil {
				t.Fatal(err)
			}
			net := &sent{}
			cfg := Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, ChunkSize: 8, Checkpoints: heldCkpts{c.held}}
			cfg.Plant(plant.Driver{ServeNoContinuation: planted})
			d := New(r, cfg)
			m := c.m
			d.Step(0, &m)
			if len(net.msgs) != 1 {
				t.Fatalf("%s (planted %v): sent %+v, want one chunk", c.name, planted, net.msgs)
			}
			ch := net.msgs[0].(*message.CheckpointChunk)
			want, off := c.want, c.wantOff
			if planted {
				want, off = c.planted, 0
			}
			if ch.Op != 25 || ch.Offset != off || string(ch.Data) != want || (!planted && ch.Size != c.wantSize) {
				t.Errorf("%s (planted %v): chunk op %d offset %d size %d %q, want op 25 offset %d %q",
					c.name, planted, ch.Op, ch.Offset, ch.Size, ch.Data, off, want)
			}
		}
	}
}
