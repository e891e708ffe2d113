package transport

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// orderPeer is a fake replica that reads one connection at a time
// through a small receive window at about rate bytes per second and
// reports the Offset of every CheckpointChunk it decodes (and a
// sentinel, ^0, when the stream breaks: a frame garbled by writes out of
// order).
func orderPeer(ln net.Listener, rate int, offsets chan<- uint64) {
	acceptEach(ln, func(conn net.Conn) {
		_ = conn.(*net.TCPConn).SetReadBuffer(32 << 10)
		r := wire.NewReader(pacedReader{conn, rate}, wire.Limits{})
		for {
			_, m, err := r.Next()
			if err != nil {
				if err != io.EOF {
					offsets <- ^uint64(0)
				}
				return
			}
			if c, ok := m.(*message.CheckpointChunk); ok {
				offsets <- c.Offset
			}
		}
	})
}

// acceptEach serves every connection ln accepts with serve on a goroutine
// of its own, closing it after, until ln is closed.
func acceptEach(ln net.Listener, serve func(net.Conn)) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			serve(conn)
		}()
	}
}

// pacedReader reads at most rate bytes per second from r, as a link of
// that bandwidth delivers them: the pause after each read is the link's
// transmission time, not a wait for some event.
type pacedReader struct {
	r    io.Reader
	rate int
}

func (p pacedReader) Read(b []byte) (int, error) {
	if len(b) > 16<<10 {
		b = b[:16<<10]
	}
	n, err := p.r.Read(b)
	time.Sleep(time.Duration(n) * time.Second / time.Duration(p.rate))
	return n, err
}

// TestDirectWritesKeepOrder sends chunks to a peer that reads slower
// than they come, so that the sender's own writes (the writer idle) fill
// the socket and leave tails for the writer: every chunk Send accepted
// must arrive once, intact and in order. Writing the queue before the
// tail garbles the stream.
func TestDirectWritesKeepOrder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	offsets := make(chan uint64, 1<<16)
	go orderPeer(ln, 32<<20, offsets)
	tr := startTransport(t, testConfig(t, 0, []string{freeAddrs(t, 1)[0], ln.Addr().String()}))
	data := bytes.Repeat([]byte{7}, 8<<10)
	chunk := func(i uint64) message.Message {
		return &message.CheckpointChunk{Op: 9, Size: 1 << 40, Offset: i, Data: data}
	}
	connect(t, tr, chunk(0))
	arrived := expect(t, offsets, []uint64{0}, 0)
	next := uint64(1)
	// Bursts: each sends until a direct write leaves a tail and 20 more
	// chunks (queued behind it, mostly), then waits
	// for every accepted chunk to arrive in order, so that the next burst
	// starts with the writer idle again.
	for round := 0; tr.Stats().DirectTails < 3; round++ {
		if round == 50 {
			s := tr.Stats()
			t.Fatalf("%d rounds: %d direct writes, %d tails: the test proves nothing", round, s.Direct, s.DirectTails)
		}
		tails, after := tr.Stats().DirectTails, 0
		var accepted []uint64
		for range 5000 {
			if tr.Send(1, chunk(next)) {
				accepted = append(accepted, next)
			}
			next++
			if tr.Stats().DirectTails > tails {
				after++ // chunks queued behind the tail
			}
			if after == 20 {
				break
			}
		}
		arrived = expect(t, offsets, accepted, arrived)
	}
	s := tr.Stats()
	t.Logf("%d chunks arrived in order; %d written directly, %d of them in part", arrived, s.Direct, s.DirectTails)
}

// expect waits for want to arrive on offsets, in order, and returns how
// many arrived in all.
func expect(t *testing.T, offsets <-chan uint64, want []uint64, arrived int) int {
	t.Helper()
	deadline := time.After(waitFor + 10*time.Second)
	for _, w := range want {
		select {
		case got := <-offsets:
			if got != w {
				t.Fatalf("arrival %d: chunk %d, want %d (^0: a garbled frame)", arrived, got, w)
			}
			arrived++
		case <-deadline:
			t.Fatalf("chunk %d did not arrive", w)
		}
	}
	return arrived
}

// TestDirectSendNeverBlocks: a peer that accepts but never reads fills
// the socket; Send must go on returning at once (queueing, then refusing
// when the queue is full), never wait for the socket to drain.
func TestDirectSendNeverBlocks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	cfg := testConfig(t, 0, []string{freeAddrs(t, 1)[0], ln.Addr().String()})
	cfg.IOTimeout = time.Minute // a blocking write would wait this long
	cfg.QueueSize = 256
	tr := startTransport(t, cfg)
	data := bytes.Repeat([]byte{7}, 32<<10)
	connect(t, tr, &message.Commit{View: 1, Commit: 1})
	done := make(chan int)
	go func() {
		refused := 0
		for i := range 4000 { // 128 MiB: far more than the socket takes
			if !tr.Send(1, &message.CheckpointChunk{Op: 9, Size: 1 << 40, Offset: uint64(i), Data: data}) {
				refused++
			}
			runtime.Gosched()
		}
		done <- refused
	}()
	select {
	case refused := <-done:
		s := tr.Stats()
		t.Logf("%d refused; %d written directly, %d in part", refused, s.Direct, s.DirectTails)
		if refused == 0 {
			t.Fatal("nothing refused: the peer's socket never filled, the test proves nothing")
		}
	case <-time.After(waitFor):
		t.Fatal("Send blocked on a peer that does not read")
	}
}

// connect sends m to replica 1 and waits until it was written: the lane
// is connected and its writer idle.
func connect(t *testing.T, tr *Transport, m message.Message) {
	t.Helper()
	if !tr.Send(1, m) {
		t.Fatal("the first message was refused")
	}
	deadline := time.Now().Add(waitFor)
	for tr.Stats().Sent == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first message was never written")
		}
		time.Sleep(time.Millisecond) // polling a counter: nothing to be notified by
	}
}
