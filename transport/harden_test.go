package transport

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
)

// silentDropped opens a TCP connection to tr, sends nothing, and returns
// how long the replica took to close it, counted from before the dial (the
// replica's deadline starts at its accept, which may come before the dial
// returns: counted from after it, a loaded machine measured 195 ms for a
// 200 ms deadline); it fails the test after limit.
func silentDropped(t *testing.T, tr *Transport, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	conn := dialRaw(t, tr)
	_ = conn.SetReadDeadline(start.Add(limit))
	_, err := conn.Read(make([]byte, 1))
	took := time.Since(start)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a silent connection stayed open for %v", limit)
	}
	return took
}

// TestHandshakeDeadline checks that a connection that opens and sends
// nothing is dropped: under TLS after HandshakeTimeout, in plaintext after
// the idle timeout of a connection of unknown sender.
func TestHandshakeDeadline(t *testing.T) {
	const deadline = 200 * time.Millisecond
	p := newPKI(t)
	var log logBuffer
	trs, _ := startCluster(t, 1, both(p.withTLS(t), captureLog(&log), func(c *Config) { c.HandshakeTimeout = deadline }))
	if took := silentDropped(t, trs[0], deadline+5*time.Second); took < deadline {
		t.Fatalf("dropped after %v, before the %v deadline", took, deadline)
	}
	waitStat(t, trs[0], "handshake failures", func(s Stats) uint64 { return s.HandshakeFailures }, 1)
	if got := log.lines("no handshake within the deadline"); len(got) != 1 {
		t.Fatalf("log %q", got)
	}
	plain, _ := startCluster(t, 1, func(c *Config) { c.IOTimeout = 20 * time.Millisecond })
	silentDropped(t, plain[0], 20*time.Millisecond*clientIdleFactor+5*time.Second)
}

// acceptedWithin reports whether tr accepts a new connection: it sends a
// client request and waits for it to arrive, or for the connection to be
// closed.
func acceptedWithin(t *testing.T, tr *Transport) (net.Conn, bool) {
	t.Helper()
	conn := dialRaw(t, tr)
	writeFrame(t, conn, testCluster, 255, &message.Request{ClientID: 1, RequestNum: 1})
	closed := make(chan struct{})
	go func() {
		_ = conn.SetReadDeadline(time.Now().Add(waitFor))
		_, _ = conn.Read(make([]byte, 1)) // the replica never writes unasked
		close(closed)
	}()
	select {
	case <-tr.Receive():
		return conn, true
	case <-closed:
		return nil, false
	}
}

// TestConnectionLimits checks the cap on inbound connections per source
// address and in total: the connection over the cap is closed at once and
// counted, and a slot freed by a close is reused.
func TestConnectionLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"per IP", func(c *Config) { c.MaxConnsPerIP = 2 }},
		{"total", func(c *Config) { c.MaxConns = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trs, _ := startCluster(t, 1, tc.edit)
			tr := trs[0]
			var open []net.Conn
			for range 2 {
				conn, ok := acceptedWithin(t, tr)
				if !ok {
					t.Fatal("connection under the limit refused")
				}
				open = append(open, conn)
			}
			if _, ok := acceptedWithin(t, tr); ok {
				t.Fatal("connection over the limit accepted")
			}
			if s := tr.Stats(); s.RefusedConns != 1 {
				t.Fatalf("stats %+v", s)
			}
			_ = open[0].Close()
			deadline := time.Now().Add(waitFor)
			for { // the replica notices the close asynchronously
				if _, ok := acceptedWithin(t, tr); ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("a freed slot was not reused")
				}
			}
		})
	}
}
