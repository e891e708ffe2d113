package transport

import (
	"bytes"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// recordConn is a net.Conn that records writes. Only Write and
// SetWriteDeadline may be called.
type recordConn struct {
	net.Conn
	writes   int
	data     bytes.Buffer
	deadline time.Time
}

func (c *recordConn) Write(b []byte) (int, error) {
	c.writes++
	return c.data.Write(b)
}

func (c *recordConn) SetWriteDeadline(d time.Time) error {
	c.deadline = d
	return nil
}

func newTestWriter() (*batchWriter, *counters) {
	st := &counters{}
	return &batchWriter{stats: st, log: slog.New(slog.DiscardHandler), cluster: 3, sender: 1, timeout: time.Second}, st
}

// TestBatchOneWrite checks that a batch of small messages is one Write
// with a deadline, and that the frames decode in order.
func TestBatchOneWrite(t *testing.T) {
	w, st := newTestWriter()
	conn := &recordConn{}
	var msgs []message.Message
	for i := range 100 {
		msgs = append(msgs, &message.PrepareOK{View: 1, Op: uint64(i), Replica: 1})
	}
	msgs = append(msgs, &message.Prepare{}) // refused by the encoder: empty
	if err := w.write(conn, msgs); err != nil {
		t.Fatal(err)
	}
	if conn.writes != 1 || conn.deadline.IsZero() {
		t.Fatalf("%d writes, deadline %v", conn.writes, conn.deadline)
	}
	if s := st.snapshot(); s.Sent != 100 || s.DroppedOut != 1 {
		t.Fatalf("stats %+v", s)
	}
	r := wire.NewReader(&conn.data, wire.Limits{})
	for i := range 100 {
		h, m, err := r.Next()
		if err != nil || h.Sender != 1 || h.Cluster != 3 || m.(*message.PrepareOK).Op != uint64(i) {
			t.Fatalf("frame %d: %+v %+v %v", i, h, m, err)
		}
	}
}

// TestBatchSplitsLargeBacklog checks that a backlog larger than
// maxBatchBytes is written in chunks.
func TestBatchSplitsLargeBacklog(t *testing.T) {
	w, st := newTestWriter()
	conn := &recordConn{}
	payload := make([]byte, 64<<10)
	var msgs []message.Message
	for i := range 10 {
		msgs = append(msgs, &message.Prepare{View: 1, Entries: []message.Entry{{Op: uint64(i + 1), Payload: payload}}})
	}
	if err := w.write(conn, msgs); err != nil {
		t.Fatal(err)
	}
	if conn.writes < 2 || conn.writes > 4 {
		t.Fatalf("%d writes for %d bytes", conn.writes, conn.data.Len())
	}
	if st.snapshot().Sent != 10 {
		t.Fatalf("stats %+v", st.snapshot())
	}
}

// TestBatchDoesNotAllocate checks the steady-state writer path.
func TestBatchDoesNotAllocate(t *testing.T) {
	w, _ := newTestWriter()
	conn := &recordConn{}
	msgs := []message.Message{&message.Commit{View: 1}, &message.PrepareOK{View: 1, Op: 2, Replica: 1}}
	allocs := testing.AllocsPerRun(100, func() {
		conn.data.Reset()
		if err := w.write(conn, msgs); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per batch", allocs)
	}
}

// TestQueueTakeReusesSlices checks the queue's swap discipline.
func TestQueueTakeReusesSlices(t *testing.T) {
	q := newOutQueue(4)
	var spare []message.Message
	m := &message.Commit{}
	allocs := testing.AllocsPerRun(100, func() {
		for range 4 {
			q.push(m)
		}
		if q.push(m) {
			t.Fatal("push past the bound accepted")
		}
		batch := q.take(spare)
		if len(batch) != 4 {
			t.Fatalf("took %d", len(batch))
		}
		spare = recycle(batch)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per cycle", allocs)
	}
}
