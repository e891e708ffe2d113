package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/sockio"
	"github.com/vr-go/vr/message"
)

// peer is the outbound side of one lane of the link to one other
// replica: a bounded queue and the single writer goroutine (run) that owns
// the lane's connection.
type peer struct {
	t      *Transport
	index  int
	lane   message.Lane
	addr   atomic.Pointer[string] // SetPeer may change it
	q      *outQueue
	w      batchWriter
	bo     backoff
	dialer net.Dialer
	tls    *tls.Config // nil without TLS; expects this replica's certificate
	log    *slog.Logger
	// idleAfter is how long an outbound connection may stay unused
	// before the writer closes it.
	idleAfter time.Duration
	// dialled records that a connection was established before, so the
	// next one counts as a reconnect.
	dialled bool
	// failures counts consecutive failed dials.
	failures int
	// direct takes the loop's messages while the writer is idle; its
	// mutex guards w.
	direct direct
	// wake cuts a dial back-off short: the peer connected to us, so it
	// is up (Transport.peerUp).
	wake chan struct{}
}

// newPeer returns the outbound side of lane of the link to replica index
// at addr.
func newPeer(t *Transport, index int, lane message.Lane, addr string) *peer {
	cfg := &t.cfg
	var tlsCfg *tls.Config
	if cfg.TLS != nil {
		tlsCfg = cfg.TLS.DialConfig(cfg.ClusterID, auth.ExpectReplica(index))
	}
	p := &peer{
		tls:   tlsCfg,
		t:     t,
		index: index,
		lane:  lane,
		q:     newOutQueue(cfg.QueueSize),
		w: batchWriter{
			stats:   &t.stats,
			link:    &t.links[index],
			log:     cfg.Logger,
			cluster: cfg.ClusterID,
			sender:  uint8(cfg.Self),
			timeout: cfg.IOTimeout,
		},
		bo:        backoff{min: cfg.DialBackoffMin, max: cfg.DialBackoffMax},
		dialer:    net.Dialer{Timeout: cfg.IOTimeout},
		log:       cfg.Logger.With("peer", index, "lane", lane.String()),
		idleAfter: cfg.IOTimeout / 2,
		wake:      make(chan struct{}, 1),
	}
	p.q.maxBytes = cfg.MaxPeerQueueBytes
	p.addr.Store(&addr)
	return p
}

// up tells the writer that the peer is up: a back-off in progress ends
// and the next dial is made at once. A new cluster's replicas start at
// different moments; one that started first and backed off from peers
// not yet listening delivered its queued messages (the Recovery of a new
// cluster's handshake) only at its next attempt, up to a back-off later,
// while the others formed the cluster without it: it then had to start a
// view change (docs/benchmarks.md, fifteenth session).
func (p *peer) up() {
	select {
	case p.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// address is where the peer is dialled.
func (p *peer) address() string { return *p.addr.Load() }

// setAddr changes the address the next dial uses; it reports whether it
// changed. A connection open to the old address stays until it fails.
func (p *peer) setAddr(addr string) bool {
	if p.address() == addr {
		return false
	}
	p.addr.Store(&addr)
	return true
}

// outConn is one outbound connection and the signal that it died.
type outConn struct {
	conn  net.Conn
	dead  chan struct{} // closed when the remote end closed or wrote
	stop  func() bool   // cancels the close-on-shutdown hook
	since time.Time
}

// close closes the connection; the watcher goroutine then exits.
func (c *outConn) close() {
	c.stop()
	_ = c.conn.Close()
}

// run is the writer goroutine: it waits for queued messages, connects, and
// writes batches until ctx ends.
func (p *peer) run(ctx context.Context) {
	defer func() {
		n, _ := p.q.close()
		p.t.stats.dropOut(&p.t.links[p.index], uint64(n))
	}()
	var spare []message.Message
	for p.awaitWork(ctx) {
		c := p.connect(ctx)
		if c == nil {
			return
		}
		spare = p.serve(ctx, c, spare)
		c.close()
	}
}

// awaitWork blocks until messages are queued; false if ctx ended.
func (p *peer) awaitWork(ctx context.Context) bool {
	for !p.q.pending() {
		select {
		case <-ctx.Done():
			return false
		case <-p.q.ready:
		}
	}
	return ctx.Err() == nil
}

// connect dials the peer, backing off between failures, until it succeeds
// or ctx ends (nil).
func (p *peer) connect(ctx context.Context) *outConn {
	for p.bo.wait(ctx, p.wake) {
		conn, err := p.dial(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.dialFailed(err)
			continue
		}
		if p.dialled {
			p.t.stats.reconnects.Add(1)
		}
		if p.failures > 0 {
			p.q.rebound(p.t.cfg.MaxPeerQueueBytes)
		}
		p.dialled, p.failures = true, 0
		p.log.Debug("transport: connected to peer")
		c := &outConn{conn: conn, dead: make(chan struct{}), since: time.Now()}
		c.stop = context.AfterFunc(ctx, func() { _ = conn.Close() })
		p.t.wg.Go(func() { p.watch(c) })
		return c
	}
	return nil
}

// dial connects to the peer and, with TLS, runs the handshake within
// HandshakeTimeout, which checks that the peer is the replica we dial.
func (p *peer) dial(ctx context.Context) (net.Conn, error) {
	conn, err := p.dialer.DialContext(ctx, "tcp", p.address())
	if err != nil {
		return nil, err
	}
	conn = sockio.Wrap(conn)
	if p.tls == nil {
		return conn, nil
	}
	tc := tls.Client(conn, p.tls)
	hctx, cancel := context.WithTimeout(ctx, p.t.cfg.HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

// dialFailed counts and logs a failed dial and grows the back-off. Only
// the first failure of a series is a warning.
// While the peer cannot be reached its queue holds at most
// MaxDownPeerQueueBytes (the oldest messages beyond it are dropped now).
func (p *peer) dialFailed(err error) {
	if n := p.q.rebound(p.t.cfg.MaxDownPeerQueueBytes); n > 0 {
		p.t.stats.dropOut(&p.t.links[p.index], uint64(n))
	}
	p.t.stats.dialErrors.Add(1)
	p.failures++
	lvl := slog.LevelDebug
	if p.failures == 1 {
		lvl = slog.LevelWarn
	}
	p.log.Log(context.Background(), lvl, "transport: dial failed", "err", err)
	p.bo.grow()
}

// watch reads from an outbound connection, on which the peer never
// writes, so that a close by the peer is noticed while we are idle. It
// returns when the connection is closed by either side.
func (p *peer) watch(c *outConn) {
	defer close(c.dead)
	var b [1]byte
	n, err := c.conn.Read(b[:])
	switch {
	case n > 0:
		p.log.Warn("transport: peer wrote on our outbound connection", "remote", c.conn.RemoteAddr().String())
	case errors.Is(err, io.EOF):
		p.log.Debug("transport: peer closed the connection")
	case isRemoteAlert(err):
		// TLS 1.3: the peer checks our certificate after our handshake
		// returned, and refuses it with an alert.
		p.t.logLimited(c.conn, "alert", "transport: peer refused our TLS connection", slog.Int("peer", p.index), slog.Any("err", err))
	}
}

// serve writes batches on c until it fails, the peer closes it, it stays
// idle for idleAfter, or ctx ends. It sets the back-off for the next dial
// and returns the spare batch slice for reuse.
func (p *peer) serve(ctx context.Context, c *outConn, spare []message.Message) []message.Message {
	idle := time.NewTimer(p.idleAfter)
	defer idle.Stop()
	p.direct.attach(c.conn)
	defer p.direct.detach()
	for {
		batch, err := p.writeNext(c, spare)
		spare = recycle(batch)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("transport: write to peer failed", "err", err)
			}
			p.lost(c)
			return spare
		}
		idle.Reset(p.idleAfter)
		select {
		case <-ctx.Done():
			return spare
		case <-c.dead:
			p.lost(c)
			return spare
		case <-idle.C:
			if p.direct.used.Swap(false) {
				idle.Reset(p.idleAfter)
				continue
			}
			p.bo.delay = 0
			return spare
		case <-p.q.ready:
		}
	}
}

// writeNext writes the tail of a direct write, then everything queued,
// holding the direct lock so that no direct write comes between.
func (p *peer) writeNext(c *outConn, spare []message.Message) ([]message.Message, error) {
	p.direct.mu.Lock()
	defer p.direct.mu.Unlock()
	batch := p.q.take(spare)
	if err := p.direct.writeTail(&p.w); err != nil {
		p.t.stats.dropOut(&p.t.links[p.index], uint64(len(batch)))
		return batch, err
	}
	return batch, p.w.write(c.conn, batch)
}

// send writes m itself when the lane's writer is idle and nothing is
// queued, else queues it within the queue's bounds; it reports whether m
// was taken.
func (p *peer) send(m message.Message) bool {
	return p.direct.try(&p.w, m, p.q.pending, p.q.wake) || p.q.pushSized(m, message.Size(m))
}

// lost sets the back-off after c broke: short after a long-lived
// connection, growing if connections keep breaking soon after the dial.
func (p *peer) lost(c *outConn) {
	if time.Since(c.since) > p.bo.max {
		p.bo.delay = 0
	}
	p.bo.grow()
}

// isRemoteAlert reports whether err is a TLS alert sent by the remote.
func isRemoteAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
