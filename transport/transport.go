package transport

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/message"
)

// Inbound is a message received from a replica or a client.
type Inbound struct {
	// From is the sending replica's index, or -1 for a client.
	From int
	// Msg is the decoded message. Messages from clients are always
	// *message.Request; messages from replicas are never Request or Reply.
	Msg message.Message
	// Client is where to send the reply when From == -1; nil otherwise.
	Client *ClientConn
	// Role is what a client may do (From == -1): the role in its
	// certificate under TLS, auth.RoleAdmin without TLS (no
	// authentication, see Config.TLS). RoleNone for replicas.
	Role auth.Role
	// Lost reports that a connection that carried replica From's
	// messages ended, not closed here (Msg is nil): it comes after every
	// message that connection delivered. A killed process's connections
	// end at once, so this tells its peers before any timeout would
	// (core.Replica.PeerLost).
	Lost bool
}

// Transport connects one replica to its peers and clients over TCP. All
// methods are safe for concurrent use.
type Transport struct {
	cfg Config
	log *slog.Logger
	// serverTLS configures inbound handshakes; nil without TLS.
	serverTLS *tls.Config
	// peers is indexed by replica id: nil for Self and for ids whose
	// address is unknown (SetPeer adds them at run time).
	peers [maxReplicas]atomic.Pointer[lanes]
	inbox chan Inbound
	stats counters
	// replyBytes counts the encoded replies queued for every client
	// connection (not those a writer took).
	replyBytes atomic.Int64
	// inbound bounds the bodies of large inbound frames being read
	// (MaxInboundBytes).
	inbound *byteBudget
	links   [maxReplicas]linkCounters // per replica id; unused at Self
	// oneLane sends every message to a peer on one connection, the old
	// behaviour (tests only: it shows what the bulk lane is for).
	oneLane bool

	closed    atomic.Bool
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	started  bool
	stopping bool // set by shutdown: refuse new inbound connections
	ln       net.Listener
	runCtx   context.Context // the peers' context, once started
	cancel   context.CancelFunc
	conns    map[net.Conn]struct{} // open inbound connections
	perIP    map[string]int        // open inbound connections per source IP
	logged   logLimiter            // rate limit of per-source warnings
}

// New validates cfg, fills in its defaults and returns an unstarted
// Transport. Errors wrap ErrConfig.
func New(cfg Config) (*Transport, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := &Transport{
		cfg:   cfg,
		log:   cfg.Logger.With("replica", cfg.Self),
		inbox: make(chan Inbound, cfg.QueueSize),
		conns: make(map[net.Conn]struct{}),
		perIP: make(map[string]int),
	}
	t.inbound = newByteBudget(int64(cfg.MaxInboundBytes))
	t.cfg.Logger = t.log
	if cfg.TLS != nil {
		t.serverTLS = cfg.TLS.ServerConfig(cfg.ClusterID)
	}
	for i, a := range cfg.Peers {
		if i != cfg.Self && a != "" {
			t.peers[i].Store(t.newLanes(i, a))
		}
	}
	return t, nil
}

// newLanes returns the outbound sides of the link to replica id at addr.
func (t *Transport) newLanes(id int, addr string) *lanes {
	var ls lanes
	for l := range ls {
		ls[l] = newPeer(t, id, message.Lane(l), addr)
	}
	return &ls
}

// peerUp is called when replica id identified itself on an inbound
// connection: each lane's writer to it dials at once if it was backing off
// (peer.up). Without TLS the claim is not proven; a false one costs one
// dial.
func (t *Transport) peerUp(id int) {
	if id < 0 || id >= len(t.peers) {
		return
	}
	if ls := t.peers[id].Load(); ls != nil {
		for _, p := range ls {
			if p != nil {
				p.up()
			}
		}
	}
}

// SetPeer makes addr the address of replica id: a replica added by a
// reconfiguration, or one that moved (docs/protocol.md, "Addresses").
// Messages for an id without an address are dropped. It is a no-op for
// Self, and after Close.
func (t *Transport) SetPeer(id int, addr string) error {
	if id < 0 || id >= maxReplicas {
		return fmt.Errorf("%w: replica id %d out of range [0,%d)", ErrConfig, id, maxReplicas)
	}
	if err := checkAddr(addr, false); err != nil {
		return fmt.Errorf("%w: replica %d address %q: %w", ErrConfig, id, addr, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if id == t.cfg.Self || t.closed.Load() || t.stopping {
		return nil
	}
	if ls := t.peers[id].Load(); ls != nil {
		for _, p := range ls {
			if p.setAddr(addr) {
				t.log.Info("transport: peer address changed", "peer", id, "addr", addr)
			}
		}
		return nil
	}
	ls := t.newLanes(id, addr)
	t.peers[id].Store(ls)
	t.log.Info("transport: peer added", "peer", id, "addr", addr)
	if t.started {
		for _, p := range ls {
			t.wg.Go(func() { p.run(t.runCtx) })
		}
	}
	return nil
}

// PeerAddr returns the address of replica id, "" if unknown.
func (t *Transport) PeerAddr(id int) string {
	if id < 0 || id >= maxReplicas {
		return ""
	}
	if ls := t.peers[id].Load(); ls != nil {
		return ls[0].address()
	}
	return ""
}

// Start binds the listener and starts the transport's goroutines. A busy
// port gives an error for which errors.Is(err, syscall.EADDRINUSE) holds.
//
// ctx bounds the transport's life: when it ends, all I/O stops as with
// Close, but only Close waits for the goroutines and closes Receive.
func (t *Transport) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed.Load():
		return ErrClosed
	case t.started:
		return ErrStarted
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", t.cfg.Listen)
	if err != nil {
		return fmt.Errorf("transport: replica %d cannot listen on %s: %w", t.cfg.Self, t.cfg.Listen, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.started, t.ln, t.cancel, t.runCtx = true, ln, cancel, runCtx
	t.wg.Go(func() { t.acceptLoop(runCtx, ln) })
	t.wg.Go(func() {
		<-runCtx.Done()
		t.shutdown()
	})
	for i := range t.peers {
		if ls := t.peers[i].Load(); ls != nil {
			for _, p := range ls {
				t.wg.Go(func() { p.run(runCtx) })
			}
		}
	}
	t.log.Info("transport: listening", "addr", ln.Addr().String(), "peers", len(t.cfg.Peers))
	return nil
}

// Addr returns the listener's address, or nil before Start.
func (t *Transport) Addr() net.Addr {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ln == nil {
		return nil
	}
	return t.ln.Addr()
}

// Send queues m for replica to, on the connection of its lane
// (message.LaneOf), and reports whether it was accepted. It never blocks.
// It returns false, counting the message as dropped, if to is not another
// replica's id with a known address, m is nil, a Request or a Reply (which replicas never
// exchange), the lane's queue is full, or the transport is closed.
// Messages may be queued before Start.
func (t *Transport) Send(to int, m message.Message) bool {
	var ls *lanes
	if to >= 0 && to < len(t.peers) {
		ls = t.peers[to].Load()
	}
	if ls != nil && m != nil && peerMessage(m) && !t.closed.Load() && ls[t.laneOf(m)].send(m) {
		return true
	}
	var link *linkCounters
	if to >= 0 && to < len(t.links) && to != t.cfg.Self {
		link = &t.links[to]
	}
	t.stats.dropOut(link, 1)
	return false
}

// Receive returns the channel of inbound messages. It is bounded by
// QueueSize; messages arriving while it is full are dropped. It is closed
// when Close returns.
func (t *Transport) Receive() <-chan Inbound { return t.inbox }

// Stats returns a snapshot of the transport's counters.
func (t *Transport) Stats() Stats { return t.stats.snapshot() }

// Close stops the listener, every connection and every goroutine, waits
// for them to finish and closes the Receive channel. It is idempotent and
// always returns nil.
func (t *Transport) Close() error {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed.Store(true)
		cancel := t.cancel
		t.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		t.wg.Wait()
		close(t.inbox)
	})
	return nil
}

// lanes are the outbound sides of the two connections to one peer,
// indexed by message.Lane: messages of the control lane never wait behind
// the bulk lane's (docs/protocol.md, "Lanes").
type lanes [message.NumLanes]*peer

// laneOf returns the lane m is sent on.
func (t *Transport) laneOf(m message.Message) message.Lane {
	if t.oneLane {
		return message.LaneControl
	}
	return message.LaneOf(m)
}
