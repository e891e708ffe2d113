package core_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// checkpointEvery5 checkpoints every 5 ops and sends checkpoints in 8-byte
// chunks, so that one checkpoint takes many chunks.
func checkpointEvery5(cfg *core.Config) {
	cfg.CheckpointInterval = 5
	cfg.CheckpointChunk = 8
}

// runOps registers client 7 at replica 0 and commits ops 2..n+1.
func runOps(c *cluster, n uint64) {
	register(c, 0, 7)
	for i := uint64(2); i < n+2; i++ {
		c.request(0, 7, i, message.KindApp, "op")
	}
}

func TestCheckpointsTruncateTheLog(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22) // ops 1..23
	c.tick(3)
	for i := range 3 {
		got := c.info(i)
		if got.Executed != 23 || got.CheckpointOp != 20 || got.LogBase != 15 {
			t.Fatalf("replica %d: %+v; want executed 23, checkpoint 20, log base 15", i, got)
		}
		if _, ok := c.replicas[i].Entry(15); ok {
			t.Fatalf("replica %d still holds op 15", i)
		}
		if e, ok := c.replicas[i].Entry(16); !ok || e.Op != 16 {
			t.Fatalf("replica %d lost op 16: %+v %v", i, e, ok)
		}
	}
}

func TestRecoveringReplicaFetchesCheckpointInChunks(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22)
	chunks, restored := 0, false
	c.onOutput = func(i int, out core.Output) {
		for _, e := range out.Messages {
			if _, ok := e.Msg.(*message.CheckpointChunk); ok && e.To == 2 {
				chunks++
			}
		}
		for _, a := range out.Applied {
			restored = restored || (i == 2 && a.Restored)
		}
	}
	c.start(2, true) // replica 2 lost its state; the primary's log starts at 15
	c.tick(20)
	got := c.info(2)
	if got.Status != core.StatusNormal || got.Executed != 23 || !restored {
		t.Fatalf("after recovery: %+v, restored %v", got, restored)
	}
	if chunks < 2 {
		t.Fatalf("checkpoint came in %d chunks, want several", chunks)
	}
	if c.sms[2].digest() != c.sms[0].digest() {
		t.Fatal("recovered state differs")
	}
	// The client table came with the checkpoint: the next checkpoint,
	// which holds it, is byte-for-byte the same at every replica.
	taken := map[int][]byte{}
	c.onOutput = func(i int, out core.Output) {
		if out.Checkpoint != nil && out.Checkpoint.Op == 25 {
			taken[i] = encode(t, out.Checkpoint)
		}
	}
	for i := uint64(24); i < 26; i++ {
		c.request(0, 7, i, message.KindApp, "op")
	}
	c.tick(3)
	if len(taken) != 3 || string(taken[2]) != string(taken[0]) || string(taken[1]) != string(taken[0]) {
		t.Fatalf("checkpoints at op 25 differ or are missing: %d taken", len(taken))
	}
}

func TestCorruptChunkIsNotInstalled(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22)
	corrupted := 0
	c.onOutput = func(i int, out core.Output) {
		for _, e := range out.Messages {
			ch, ok := e.Msg.(*message.CheckpointChunk)
			if !ok || corrupted == 3 {
				continue
			}
			// Turn an op's payload "op" into "oq": the checkpoint still
			// decodes, so only the checksums can tell.
			if k := bytes.IndexByte(ch.Data, 'p'); k >= 0 {
				ch.Data = append([]byte(nil), ch.Data...) // the sender's copy stays intact
				ch.Data[k] = 'q'
				corrupted++
			}
		}
	}
	c.start(2, true)
	c.tick(1)
	if got := c.info(2); got.Executed != 0 {
		t.Fatalf("installed a corrupt checkpoint: %+v", got)
	}
	c.tick(30)
	if got := c.info(2); got.Executed != 23 || c.sms[2].digest() != c.sms[0].digest() {
		t.Fatalf("after the corrupt chunks: %+v", got)
	}
	if corrupted != 3 {
		t.Fatalf("corrupted %d chunks", corrupted)
	}
}

func TestRestartRejectsFlippedCheckpointByte(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	var ck *core.Checkpoint
	var hs core.HardState
	var log []message.Entry
	c.onOutput = func(i int, out core.Output) {
		if i == 1 && out.Checkpoint != nil {
			ck = out.Checkpoint
		}
		if i == 1 {
			hs = out.HardState
		}
	}
	runOps(c, 8) // checkpoint at 5
	for op := uint64(1); op <= 9; op++ {
		if e, ok := c.replicas[1].Entry(op); ok {
			log = append(log, e)
		}
	}
	if ck == nil || ck.Op != 5 {
		t.Fatalf("checkpoint %+v", ck)
	}
	data := encode(t, ck)
	good := core.Durable{HardState: hs, Checkpoint: core.CheckpointBytes(ck.Op, data), Log: log}
	cfg := core.Config{ReplicaCount: 3, Index: 1, Restart: &good, CheckpointInterval: 5}
	if _, err := core.New(cfg, &counter{}); err != nil {
		t.Fatalf("restart from a good checkpoint: %v", err)
	}
	for _, pos := range []int{0, 7, len(data) / 2, len(data) - 1} {
		bad := append([]byte(nil), data...)
		bad[pos] ^= 1
		d := good
		d.Checkpoint = core.CheckpointBytes(ck.Op, bad)
		cfg.Restart = &d
		if _, err := core.New(cfg, &counter{}); !errors.Is(err, core.ErrBadDurableState) {
			t.Fatalf("byte %d flipped: err %v, want ErrBadDurableState", pos, err)
		}
	}
}

func TestCheckpointFetchResumesAtAnotherReplica(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22)
	fromStart, first, sources := 0, -1, map[int]bool{}
	c.onOutput = func(i int, out core.Output) {
		for _, e := range out.Messages {
			ch, ok := e.Msg.(*message.CheckpointChunk)
			if !ok || e.To != 2 {
				continue
			}
			if first < 0 {
				first = i
			}
			if i == first && ch.Offset >= 24 {
				ch.Checksum++ // the first source's chunks are lost from here on
				continue
			}
			if ch.Offset == 0 {
				fromStart++
			}
			sources[i] = true
		}
	}
	c.start(2, true)
	c.tick(40)
	if got := c.info(2); got.Executed != 23 || c.sms[2].digest() != c.sms[0].digest() {
		t.Fatalf("after the transfer: %+v", got)
	}
	if len(sources) < 2 || fromStart != 1 {
		t.Fatalf("chunks came from %v, %d transfers started at offset 0; want 2 sources, 1 start", sources, fromStart)
	}
}

// encode writes ck's bytes.
func encode(t *testing.T, ck *core.Checkpoint) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := ck.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
