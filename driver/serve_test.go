package driver

import (
	"bytes"
	"hash/crc32"
	"io"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// nopSM is a state machine with no state.
type nopSM struct{}

func (nopSM) Apply(uint64, []byte) []byte { return nil }
func (nopSM) Snapshot() io.WriterTo       { return bytes.NewReader(nil) }
func (nopSM) Restore(io.Reader) error     { return nil }

// heldCkpts holds fixed checkpoints.
type heldCkpts []Held

func (heldCkpts) Save(*core.Checkpoint, core.HardState) {}
func (h heldCkpts) Held() []Held                        { return h }

// sent records what the driver sends.
type sent struct {
	to   []int
	msgs []message.Message
}

func (s *sent) Send(to int, m message.Message) { s.to, s.msgs = append(s.to, to), append(s.msgs, m) }
func (s *sent) Reply(*message.Reply)           {}

// TestServeAnswersFromHeldCheckpoints: GetCheckpoint never reaches the
// replica; the driver answers with the chunk asked for, from the held
// checkpoint asked for (by op, or the newest in range), checksummed.
func TestServeAnswersFromHeldCheckpoints(t *testing.T) {
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	older, newer := bytes.Repeat([]byte("o"), 10), []byte("0123456789abcdef")
	net := &sent{}
	d := New(r, Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, ChunkSize: 6, Checkpoints: heldCkpts{
		{Op: 20, Size: uint64(len(newer)), Data: bytes.NewReader(newer)},
		{Op: 10, Size: uint64(len(older)), Data: bytes.NewReader(older)},
	}})
	ask := []*message.GetCheckpoint{
		{Replica: 2, MinOp: 5, MaxOp: 30, Offset: 12}, // newest in range, last chunk
		{Replica: 1, MinOp: 5, MaxOp: 15},             // only op 10 fits
		{Replica: 1, Op: 20, Offset: 6},               // by op
		{Replica: 0, MinOp: 5, MaxOp: 30},             // from itself: ignored
		{Replica: 1, MinOp: 21, MaxOp: 30},            // none held
		{Replica: 1, Op: 20, Offset: 17},              // beyond the end
	}
	for _, m := range ask {
		d.Step(0, m)
	}
	want := []struct {
		to   int
		op   uint64
		off  uint64
		data string
	}{{2, 20, 12, "cdef"}, {1, 10, 0, "oooooo"}, {1, 20, 6, "6789ab"}}
	if len(net.msgs) != len(want) {
		t.Fatalf("sent %d messages, want %d: %+v", len(net.msgs), len(want), net.msgs)
	}
	for i, w := range want {
		ch := net.msgs[i].(*message.CheckpointChunk)
		if net.to[i] != w.to || ch.Op != w.op || ch.Offset != w.off || string(ch.Data) != w.data || ch.Replica != 0 ||
			ch.Checksum != crc32.Checksum(ch.Data, crc32.MakeTable(crc32.Castagnoli)) {
			t.Errorf("chunk %d to %d: %+v; want %+v", i, net.to[i], ch, w)
		}
	}
	if got := r.Output().Messages; len(got) != 0 {
		t.Fatalf("the replica answered too: %+v", got)
	}
}

// TestServeNewerForAGoneCheckpoint: asked for a chunk of a checkpoint it no
// longer holds (op 15), the driver answers with the first chunk of the
// newest one in the asked range (op 20), so that the peer's fetch moves to
// it; for a checkpoint newer than any it holds (op 25), nothing. With
// plant ServeOnlyAsked it answers nothing at all.
func TestServeNewerForAGoneCheckpoint(t *testing.T) {
	for _, planted := range []bool{false, true} {
		r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
		if err != nil {
			t.Fatal(err)
		}
		newer := []byte("0123456789abcdef")
		net := &sent{}
		cfg := Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, ChunkSize: 6, Checkpoints: heldCkpts{
			{Op: 20, Size: uint64(len(newer)), Data: bytes.NewReader(newer)},
		}}
		cfg.Plant(plant.Driver{ServeOnlyAsked: planted})
		d := New(r, cfg)
		d.Step(0, &message.GetCheckpoint{Replica: 1, MinOp: 10, MaxOp: 30, Op: 15, Offset: 12})
		d.Step(0, &message.GetCheckpoint{Replica: 1, MinOp: 10, MaxOp: 30, Op: 25, Offset: 6})
		if planted {
			if len(net.msgs) != 0 {
				t.Fatalf("planted: sent %+v, want nothing", net.msgs)
			}
			continue
		}
		if len(net.msgs) != 1 {
			t.Fatalf("sent %d messages, want 1: %+v", len(net.msgs), net.msgs)
		}
		ch := net.msgs[0].(*message.CheckpointChunk)
		if net.to[0] != 1 || ch.Op != 20 || ch.Offset != 0 || string(ch.Data) != "012345" || ch.Size != 16 {
			t.Errorf("sent %+v to %d, want the first chunk of 20 to 1", ch, net.to[0])
		}
	}
}
