package driver

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// TestServeRecordsAfterALink: a GetCheckpoint with After gets only the
// records of the chain after the record of After, when the chain holds
// one that is not its last; otherwise the whole chain (After 0), except
// for a fetch of records that resumes (it cannot use other bytes).
func TestServeRecordsAfterALink(t *testing.T) {
	chain := []byte("BASE10dd15ddd20") // records: op 10 (6 bytes), 15 (4), 20 (5)
	links := []HeldLink{{10, 6}, {15, 4}, {20, 5}}
	cases := []struct {
		name       string
		m          message.GetCheckpoint
		bugs       plant.Driver
		want       string // "" : nothing sent
		wantAfter  uint64
		wantSize   uint64
		wantOffset uint64
	}{
		{"after the base", message.GetCheckpoint{Replica: 1, MinOp: 12, MaxOp: 30, After: 10}, plant.Driver{}, "dd15ddd20", 10, 9, 0},
		{"after a delta", message.GetCheckpoint{Replica: 1, MinOp: 12, MaxOp: 30, After: 15}, plant.Driver{}, "ddd20", 15, 5, 0},
		{"resumed", message.GetCheckpoint{Replica: 1, Op: 20, After: 15, Offset: 3}, plant.Driver{}, "20", 15, 5, 3},
		{"no such link: whole", message.GetCheckpoint{Replica: 1, MinOp: 12, MaxOp: 30, After: 12}, plant.Driver{}, string(chain), 0, 15, 0},
		{"the last link: whole", message.GetCheckpoint{Replica: 1, MinOp: 12, MaxOp: 30, After: 20}, plant.Driver{}, string(chain), 0, 15, 0},
		{"resumed, no such link", message.GetCheckpoint{Replica: 1, Op: 20, After: 12, Offset: 3}, plant.Driver{}, "", 0, 0, 0},
		{"planted: the link before", message.GetCheckpoint{Replica: 1, MinOp: 12, MaxOp: 30, After: 15}, plant.Driver{DeltaFromOtherChain: true}, "dd15ddd20", 15, 9, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
			if err != nil {
				t.Fatal(err)
			}
			net := &sent{}
			cfg := Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, ChunkSize: 64,
				Checkpoints: heldCkpts{{Op: 20, Size: uint64(len(chain)), Data: bytes.NewReader(chain), Links: links}}}
			cfg.Plant(c.bugs)
			d := New(r, cfg)
			m := c.m
			d.Step(0, &m)
			if c.want == "" {
				if len(net.msgs) != 0 {
					t.Fatalf("sent %+v, want nothing", net.msgs)
				}
				return
			}
			if len(net.msgs) != 1 {
				t.Fatalf("sent %d messages", len(net.msgs))
			}
			ch := net.msgs[0].(*message.CheckpointChunk)
			if string(ch.Data) != c.want || ch.After != c.wantAfter || ch.Size != c.wantSize || ch.Offset != c.wantOffset || ch.Op != 20 {
				t.Fatalf("chunk %+v (%q), want %q after %d size %d offset %d", ch, ch.Data, c.want, c.wantAfter, c.wantSize, c.wantOffset)
			}
		})
	}
}

// TestOpenInstallJoinsHeldChain: the bytes of an Install with After are
// the held chain of After, then the fetched records; without the chain
// the install fails (ErrNoChain) rather than restore other bytes.
func TestOpenInstallJoinsHeldChain(t *testing.T) {
	held := []Held{{Op: 15, Size: 10, Data: bytes.NewReader([]byte("BASE10dd15"))}}
	fetched := func() io.Reader { return bytes.NewReader([]byte("ddd20")) }
	open, err := OpenInstall(held, &core.Install{Op: 20, Size: 5, After: 15}, fetched)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // Run opens it twice: to verify, then to restore
		rc, err := open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		if string(b) != "BASE10dd15ddd20" {
			t.Fatalf("assembled %q", b)
		}
	}
	if _, err := OpenInstall(held, &core.Install{Op: 20, Size: 5, After: 12}, fetched); !errors.Is(err, ErrNoChain) {
		t.Fatalf("a chain not held: %v, want ErrNoChain", err)
	}
}

// TestServeRecordsFromOlderDeltas: records after a link that only the
// deltas of the chain before the last background base hold are served
// from those (Held.Older).
func TestServeRecordsFromOlderDeltas(t *testing.T) {
	chain, older := []byte("BASE20ddd25"), []byte("dd15dd20ddd25")
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	net := &sent{}
	d := New(r, Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, ChunkSize: 64,
		Checkpoints: heldCkpts{{Op: 25, Size: uint64(len(chain)), Data: bytes.NewReader(chain), Links: []HeldLink{{20, 6}, {25, 5}},
			Older: &Held{Op: 25, Size: uint64(len(older)), Data: bytes.NewReader(older), Links: []HeldLink{{15, 4}, {20, 4}, {25, 5}}}}}})
	d.Step(0, &message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, After: 15})
	d.Step(0, &message.GetCheckpoint{Replica: 1, MinOp: 21, MaxOp: 30, After: 20})
	want := []struct {
		data  string
		after uint64
	}{{"dd20ddd25", 15}, {"ddd25", 20}} // the chain's own link first
	for i, w := range want {
		ch := net.msgs[i].(*message.CheckpointChunk)
		if string(ch.Data) != w.data || ch.After != w.after || ch.Size != uint64(len(w.data)) {
			t.Fatalf("chunk %d: %+v (%q), want %q after %d", i, ch, ch.Data, w.data, w.after)
		}
	}
}
