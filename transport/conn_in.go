package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// readBufferSize is the read buffer of an inbound connection. Senders
// coalesce many frames per write, and wire.Reader reads a frame's header
// and body separately, so buffering saves several syscalls per frame.
const readBufferSize = 32 << 10

// senderUnknown marks an inbound connection before its first frame.
const senderUnknown = -2

// inConn is the read side of one accepted connection. The first frame
// fixes the sender (a replica index, or -1 for a client); later frames
// must come from the same sender.
type inConn struct {
	t       *Transport
	conn    net.Conn
	br      *bufio.Reader
	r       *wire.Reader
	from    int
	client  *ClientConn    // set once the connection is known to be a client's
	id      *auth.Identity // the peer's certificate identity; nil without TLS
	idle    time.Duration  // current idle read timeout
	lastDL  time.Time      // when the read deadline was last pushed back
	refresh time.Duration  // minimum interval between deadline updates
}

// serveInbound runs the TLS handshake if configured, then reads frames
// from an accepted connection until it ends, then closes it and logs why.
func (t *Transport) serveInbound(raw net.Conn) {
	conn, id, err := t.handshake(raw)
	if err != nil {
		t.handshakeFailed(raw, err)
		t.untrack(raw)
		return
	}
	br := bufio.NewReaderSize(conn, readBufferSize)
	c := &inConn{
		t:    t,
		conn: conn,
		br:   br,
		r:    wire.NewReader(br, t.cfg.Limits),
		from: senderUnknown,
		id:   id,
	}
	c.setIdle(t.cfg.IOTimeout * clientIdleFactor)
	stop := t.stopSignal()
	c.r.SetCheck(func(h wire.Header) (func(), error) {
		return t.checkHeader(h, time.Now().Add(c.idle), stop)
	})
	err = c.loop()
	// Count and log before closing, so that a remote which sees the close
	// also sees the counters updated.
	t.reportEnd(conn, c.from, err)
	if c.from >= 0 && !errors.Is(err, net.ErrClosed) && !t.closed.Load() {
		t.deliver(Inbound{From: c.from, Lost: true})
	}
	t.untrack(raw)
	if c.client != nil {
		c.client.shutdown()
	}
}

// setIdle switches the idle read timeout and forces a deadline update.
func (c *inConn) setIdle(d time.Duration) {
	c.idle, c.refresh, c.lastDL = d, d/8, time.Time{}
}

// loop reads and delivers frames until an error.
func (c *inConn) loop() error {
	for {
		if err := c.pushDeadline(); err != nil {
			return err
		}
		h, m, err := c.r.Next()
		if err != nil {
			return err
		}
		if err := c.accept(h, m); err != nil {
			return err
		}
	}
}

// pushDeadline moves the idle read deadline to now+idle before a frame.
// To keep the clock and the timer off the per-frame path it does so only
// when the read buffer is empty (the next read may wait on the socket) and
// the deadline was last moved at least idle/8 ago.
func (c *inConn) pushDeadline() error {
	if c.br.Buffered() > 0 {
		return nil
	}
	now := time.Now()
	if now.Sub(c.lastDL) < c.refresh {
		return nil
	}
	c.lastDL = now
	return c.conn.SetReadDeadline(now.Add(c.idle))
}

// accept validates one frame and hands its message to Receive.
func (c *inConn) accept(h wire.Header, m message.Message) error {
	from, err := c.t.checkFrame(h, m)
	if err == nil {
		err = bind(c.id, from)
	}
	if err != nil {
		return err
	}
	if from != c.from {
		if err := c.identify(from); err != nil {
			return err
		}
	}
	in := Inbound{From: from, Msg: m, Client: c.client}
	if from < 0 {
		in.Role = roleOf(c.id)
	}
	if c.t.deliver(in) && from >= 0 {
		l := &c.t.links[from]
		l.received.Add(1)
		l.receivedBytes.Add(uint64(wire.HeaderSize) + uint64(h.Length))
	}
	return nil
}

// identify fixes the connection's sender at its first frame.
func (c *inConn) identify(from int) error {
	if c.from != senderUnknown {
		return protocolErrorf("sender changed from %d to %d", c.from, from)
	}
	c.from = from
	if from >= 0 {
		c.setIdle(c.t.cfg.IOTimeout)
		c.t.peerUp(from)
		return nil
	}
	c.client = newClientConn(c.t, c.conn)
	c.t.wg.Go(c.client.run)
	return nil
}

// deliver queues in for Receive, or drops it if the channel is full; it
// reports whether in was queued.
func (t *Transport) deliver(in Inbound) bool {
	select {
	case t.inbox <- in:
		if in.Lost {
			t.stats.lostPeers.Add(1)
		} else {
			t.stats.received.Add(1)
		}
		return true
	default:
		t.stats.droppedIn.Add(1)
		return false
	}
}

// reportEnd classifies why an inbound connection ended, counts protocol
// violations and logs them at warn level; ordinary ends go to debug.
func (t *Transport) reportEnd(conn net.Conn, from int, err error) {
	remote := conn.RemoteAddr().String()
	if isBadInput(err) {
		t.stats.badFrames.Add(1)
		t.log.Warn("transport: dropping inbound connection", "remote", remote, "sender", senderName(from), "reason", err)
		return
	}
	reason := err.Error()
	switch {
	case errors.Is(err, io.EOF):
		reason = "closed by remote"
	case errors.Is(err, net.ErrClosed):
		reason = "closed locally"
	case errors.Is(err, os.ErrDeadlineExceeded):
		reason = "idle timeout"
	}
	t.log.LogAttrs(context.Background(), slog.LevelDebug, "transport: inbound connection ended",
		slog.String("remote", remote), slog.String("sender", senderName(from)), slog.String("reason", reason))
}

// senderName describes an inbound connection's sender for logs.
func senderName(from int) string {
	switch from {
	case senderUnknown:
		return "unknown"
	case -1:
		return "client"
	}
	return "replica " + strconv.Itoa(from)
}

// badInputErrors are the errors that blame the remote's bytes. A truncated
// frame (the stream ends inside a frame) counts as bad input.
var badInputErrors = []error{
	ErrProtocol, io.ErrUnexpectedEOF, wire.ErrBadMagic, wire.ErrBadVersion,
	wire.ErrUnknownType, wire.ErrTooLarge, wire.ErrChecksum, wire.ErrMalformed,
}

// isBadInput reports whether err means the remote sent invalid bytes, as
// opposed to closing, timing out or failing at the socket level.
func isBadInput(err error) bool {
	for _, bad := range badInputErrors {
		if errors.Is(err, bad) {
			return true
		}
	}
	return false
}

// stopSignal is closed when the transport stops (its run context ends).
func (t *Transport) stopSignal() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.runCtx == nil {
		return nil
	}
	return t.runCtx.Done()
}
