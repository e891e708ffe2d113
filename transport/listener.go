package transport

import (
	"context"
	"errors"
	"net"
	"time"
)

// Bounds of the pause after a failed Accept (for example EMFILE).
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// acceptLoop accepts inbound connections until the listener is closed and
// serves each one in its own goroutine.
func (t *Transport) acceptLoop(ctx context.Context, ln net.Listener) {
	bo := backoff{min: acceptBackoffMin, max: acceptBackoffMax}
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			bo.grow()
			t.log.Warn("transport: accept failed", "err", err, "retry_in", bo.delay)
			if !bo.wait(ctx) {
				return
			}
			continue
		}
		bo.delay = 0
		if t.track(conn) {
			t.wg.Go(func() { t.serveInbound(conn) })
		}
	}
}

// track registers an accepted connection so that shutdown can close it. It
// closes the connection and returns false when the transport is shutting
// down or MaxConns connections are already open.
func (t *Transport) track(conn net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.stopping:
	case len(t.conns) >= t.cfg.MaxConns:
		t.log.Warn("transport: too many inbound connections, refusing", "remote", conn.RemoteAddr().String(), "limit", t.cfg.MaxConns)
	default:
		t.conns[conn] = struct{}{}
		return true
	}
	_ = conn.Close()
	return false
}

// untrack closes an inbound connection and forgets it.
func (t *Transport) untrack(conn net.Conn) {
	t.mu.Lock()
	delete(t.conns, conn)
	t.mu.Unlock()
	_ = conn.Close()
}

// shutdown closes the listener and every inbound connection, which ends
// the accept loop and the readers. It runs once, when the transport's
// context ends.
func (t *Transport) shutdown() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopping = true
	_ = t.ln.Close()
	for conn := range t.conns {
		_ = conn.Close()
	}
}
