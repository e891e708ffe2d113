package client

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vr-go/vr/message"
)

// Client is a connection to a vr cluster. It is safe for concurrent use.
type Client struct {
	cfg    Config
	log    *slog.Logger
	connMu sync.Mutex
	conns  map[string]*conn // by address
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// slots holds a token per call using a session (at most
	// Config.Sessions); idle holds the sessions not in use, the most
	// recently used last (pool.go).
	slots  chan struct{}
	poolMu sync.Mutex
	idle   []*session

	mu      sync.Mutex
	waiters map[uint64]*session
	closed  bool // Close was called: spawn starts nothing

	// Session counters (Stats).
	sessions      atomic.Int64
	registrations atomic.Uint64
	evictions     atomic.Uint64

	// view is the highest view any session learned; new requests start at
	// its primary instead of rediscovering it session by session.
	topoMu      sync.Mutex
	topo        topology // the configuration the client knows (topology.go)
	known       []string // every address the client ever knew: Config.Addrs, then members'
	lastRefresh atomic.Int64
	// staleNext picks the replica for the next stale read (round robin).
	staleNext atomic.Uint64
	// co queues writes for batches (Config.Coalesce).
	co coalescer
}

// Dial connects to the cluster through the replicas at addrs with default
// settings and cluster id 0: any one reachable member suffices, the
// client learns the configuration from it (topology.go).
func Dial(ctx context.Context, addrs ...string) (*Client, error) {
	return DialConfig(ctx, Config{Addrs: addrs})
}

// DialConfig connects with cfg. It returns once at least one replica
// accepted a connection and it learned the configuration (from any
// replica that answers, or, if none does, Config.Addrs as epoch 0's); the
// others are dialled again in the background.
func DialConfig(ctx context.Context, cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, log: cfg.Logger, slots: make(chan struct{}, cfg.Sessions), waiters: map[uint64]*session{},
		conns: map[string]*conn{}, known: slices.Clone(cfg.Addrs)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if err := c.dialAll(ctx); err != nil {
		c.Close()
		return nil, err
	}
	found := false
	if !cfg.Static {
		dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
		found = c.discover(dctx)
		cancel()
	}
	if !found {
		t, err := staticTopology(cfg)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.learn(t)
	}
	return c, nil
}

// dialAll dials every given address in parallel and succeeds if any
// answered.
func (c *Client) dialAll(ctx context.Context) error {
	errs := make(chan error, len(c.cfg.Addrs))
	for _, a := range c.cfg.Addrs {
		k := c.connTo(a)
		go func() { errs <- k.dial(ctx) }()
	}
	var last error
	ok := 0
	for range c.cfg.Addrs {
		if err := <-errs; err != nil {
			last = err
		} else {
			ok++
		}
	}
	if ok == 0 {
		return fmt.Errorf("client: no replica reachable: %w", last)
	}
	return nil
}

// Close closes every connection and ends the calls in progress without
// waiting for them. A call whose request was sent returns an error
// matching ErrClosed and ErrOutcomeUnknown: the operation may have been
// applied. A call not yet sent, and every call made after Close, returns
// one matching ErrClosed and ErrNotApplied.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	for _, k := range c.allConns() {
		k.close()
	}
	c.wg.Wait()
	return nil
}

// spawn runs f in a goroutine that Close waits for, unless Close was
// called; it reports whether f runs.
func (c *Client) spawn(f func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
	return true
}

func (c *Client) isClosed() bool { return c.ctx.Err() != nil }

// dispatch hands a reply to the session waiting for it.
func (c *Client) dispatch(rep *message.Reply) {
	c.mu.Lock()
	s := c.waiters[rep.ClientID]
	c.mu.Unlock()
	if s == nil {
		return
	}
	select {
	case s.replies <- rep:
	default: // the session is not keeping up; the proxy retries
	}
}
