package transport

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/vr-go/vr/internal/sockio"
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
			if !bo.wait(ctx, nil) {
				return
			}
			continue
		}
		bo.delay = 0
		conn = sockio.Wrap(conn)
		if t.track(conn) {
			t.wg.Go(func() { t.serveInbound(conn) })
		}
	}
}

// track registers an accepted connection so that shutdown can close it. It
// closes the connection and returns false when the transport is shutting
// down, or MaxConns connections in all or MaxConnsPerIP from the same
// address are already open.
func (t *Transport) track(conn net.Conn) bool {
	ip := sourceIP(conn)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.stopping:
	case len(t.conns) >= t.cfg.MaxConns:
		t.refused("too many inbound connections", conn, t.cfg.MaxConns)
	case t.perIP[ip] >= t.cfg.MaxConnsPerIP:
		t.refused("too many inbound connections from one address", conn, t.cfg.MaxConnsPerIP)
	default:
		t.conns[conn] = struct{}{}
		t.perIP[ip]++
		return true
	}
	_ = conn.Close()
	return false
}

// refused counts and logs a connection refused at accept for a limit.
func (t *Transport) refused(why string, conn net.Conn, limit int) {
	t.logLimited(conn, why, "transport: "+why+", refusing", slog.Int("limit", limit))
	t.stats.refusedConns.Add(1)
}

// untrack closes an inbound connection and forgets it.
func (t *Transport) untrack(conn net.Conn) {
	ip := sourceIP(conn)
	t.mu.Lock()
	if _, ok := t.conns[conn]; ok {
		delete(t.conns, conn)
		if t.perIP[ip]--; t.perIP[ip] <= 0 {
			delete(t.perIP, ip)
		}
	}
	t.mu.Unlock()
	_ = conn.Close()
}

// sourceIP is the IP address a connection comes from ("" if unknown).
func sourceIP(conn net.Conn) string {
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return ""
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
