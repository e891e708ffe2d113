package transport

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// TestClientFrameLimitedAtHeader: a client's frame may carry a Request
// of at most Limits.MaxPayload of payload; a header announcing a 60 MiB
// body (under the 64 MiB any frame may have) closes the connection at
// once, before a byte of the body arrives. Before, the replica waited
// for the body and grew its buffer with it.
func TestClientFrameLimitedAtHeader(t *testing.T) {
	trs, _ := startCluster(t, 1, nil)
	conn := dialRaw(t, trs[0])
	hdr := frame(t, testCluster, wire.SenderClient, &message.Request{ClientID: 1, RequestNum: 1})[:wire.HeaderSize]
	binary.LittleEndian.PutUint32(hdr[16:], 60<<20) // the header's body length
	if _, err := conn.Write(hdr); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, conn)
	if s := trs[0].Stats(); s.BadFrames != 1 {
		t.Fatalf("bad frames %d, want 1", s.BadFrames)
	}
}

// TestInboundBudget: connections that announce large frames and send
// them slowly may hold at most MaxInboundBytes of bodies being read, in
// all: with 1 MiB, a second frame of 800 KiB waits at its header (its
// bytes stay in the kernel) until the first frame is read, then both
// arrive; a frame larger than the whole budget closes its connection.
func TestInboundBudget(t *testing.T) {
	trs, _ := startCluster(t, 2, func(c *Config) { c.MaxInboundBytes = 1 << 20 })
	tr := trs[0]
	chunk := func(op uint64, size int) []byte {
		return frame(t, testCluster, 1, &message.CheckpointChunk{Replica: 1, Op: op, Size: 1 << 30, Data: make([]byte, size)})
	}
	first, second := chunk(1, 800<<10), chunk(2, 800<<10)
	c1, c2 := dialRaw(t, tr), dialRaw(t, tr)
	if _, err := c1.Write(first[:100<<10]); err != nil { // header and 100 KiB: held
		t.Fatal(err)
	}
	waitBudget(t, tr, "the first frame's body was never counted", func(held int64, _ int) bool { return held > 0 })
	if _, err := c2.Write(second); err != nil {
		t.Fatal(err)
	}
	waitBudget(t, tr, "the second frame did not wait for room", func(_ int64, waiting int) bool { return waiting == 1 })
	if _, err := c1.Write(first[100<<10:]); err != nil {
		t.Fatal(err)
	}
	for want := uint64(1); want <= 2; want++ {
		in := receive(t, tr)
		if c, ok := in.Msg.(*message.CheckpointChunk); !ok || c.Op != want {
			t.Fatalf("got %+v, want chunk %d", in, want)
		}
	}
	if held, waits, _ := tr.inbound.state(); held != 0 || waits != 1 {
		t.Fatalf("%d bytes still held, %d waits (want 0, 1)", held, waits)
	}
	c3 := dialRaw(t, tr)
	if _, err := c3.Write(chunk(3, 1536<<10)[:wire.HeaderSize]); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, c3)
}

// waitBudget polls tr's inbound budget until ok holds (nothing notifies
// a change of it).
func waitBudget(t *testing.T, tr *Transport, failure string, ok func(held int64, waiting int) bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		held, _, waiting := tr.inbound.state()
		if ok(held, waiting) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(failure)
		}
		time.Sleep(time.Millisecond)
	}
}
