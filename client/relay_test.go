package client_test

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// relay sits between a client and the replicas and forwards every frame,
// except that while it holds, the replies are dropped: the cluster gets
// and executes the client's requests, and the client hears nothing. That
// puts a request really in flight, for as long as a test needs.
type relay struct {
	Addrs []string
	// Withheld receives every reply dropped while holding.
	Withheld chan *message.Reply

	hold atomic.Bool
	mu   sync.Mutex
	open []net.Conn // every listener-accepted and dialled connection
	// register is a copy of the first Register frame the client sent
	// (Replay sends it again); apps counts the KindApp requests forwarded.
	register []byte
	apps     atomic.Int64
}

// startRelay starts a relay in front of targets; t.Cleanup closes it.
func startRelay(t *testing.T, targets []string) *relay {
	t.Helper()
	r := &relay{Withheld: make(chan *message.Reply, 64)}
	var lns []net.Listener
	for _, target := range targets {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		r.Addrs = append(r.Addrs, ln.Addr().String())
		go r.accept(ln, target)
	}
	t.Cleanup(func() {
		for _, ln := range lns {
			ln.Close()
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, c := range r.open {
			c.Close()
		}
	})
	return r
}

// Hold starts (true) or stops (false) dropping replies.
func (r *relay) Hold(on bool) { r.hold.Store(on) }

func (r *relay) track(c net.Conn) {
	r.mu.Lock()
	r.open = append(r.open, c)
	r.mu.Unlock()
}

func (r *relay) accept(ln net.Listener, target string) {
	for {
		cc, err := ln.Accept()
		if err != nil {
			return
		}
		sc, err := net.Dial("tcp", target)
		if err != nil {
			cc.Close()
			continue
		}
		r.track(cc)
		r.track(sc)
		go r.copy(sc, cc, false) // requests
		go r.copy(cc, sc, true)  // replies
	}
}

// copy forwards frames from src to dst, dropping replies while holding.
func (r *relay) copy(dst, src net.Conn, replies bool) {
	defer dst.Close()
	defer src.Close()
	rd := wire.NewReader(src, wire.DefaultLimits())
	var buf []byte
	for {
		h, m, err := rd.Next()
		if err != nil {
			return
		}
		if rep, ok := m.(*message.Reply); ok && replies && r.hold.Load() {
			select {
			case r.Withheld <- rep:
			default:
			}
			continue
		}
		buf, err = wire.AppendFrame(buf[:0], h.Cluster, h.Sender, m)
		if err != nil {
			return
		}
		if req, ok := m.(*message.Request); ok && !replies {
			r.noteRequest(req, buf)
		}
		if _, err := dst.Write(buf); err != nil {
			return
		}
	}
}

// noteRequest keeps the first Register frame and counts app requests.
func (r *relay) noteRequest(req *message.Request, frame []byte) {
	switch req.Kind {
	case message.KindApp:
		r.apps.Add(1)
	case message.KindRegister:
		r.mu.Lock()
		if r.register == nil {
			r.register = append([]byte(nil), frame...)
		}
		r.mu.Unlock()
	}
}

// Replay sends a copy of the client's first Register frame to every
// target, on connections of its own, as a delayed duplicate would arrive;
// replies to it are read and dropped.
func (r *relay) Replay(t *testing.T, targets []string) {
	t.Helper()
	r.mu.Lock()
	frame := r.register
	r.mu.Unlock()
	if frame == nil {
		t.Fatal("the client sent no Register")
	}
	for _, target := range targets {
		c, err := net.Dial("tcp", target)
		if err != nil {
			t.Fatal(err)
		}
		r.track(c)
		go func() { _, _ = io.Copy(io.Discard, c) }()
		if _, err := c.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
}
