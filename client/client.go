package client

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// Client is a connection to a vr cluster. It is safe for concurrent use.
type Client struct {
	cfg    Config
	log    *slog.Logger
	conns  []*conn
	pool   chan *session // nil entries are sessions not yet created
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	waiters map[uint64]*session

	// view is the highest view any session learned; new requests start at
	// its primary instead of rediscovering it session by session.
	view atomic.Uint64
	// staleNext picks the replica for the next stale read (round robin).
	staleNext atomic.Uint64
	// co queues writes for batches (Config.Coalesce).
	co coalescer
}

// learnView raises the shared view.
func (c *Client) learnView(v uint64) {
	for {
		cur := c.view.Load()
		if v <= cur || c.view.CompareAndSwap(cur, v) {
			return
		}
	}
}

// Dial connects to the replicas at addrs (in configuration order) with
// default settings and cluster id 0.
func Dial(ctx context.Context, addrs ...string) (*Client, error) {
	return DialConfig(ctx, Config{Addrs: addrs})
}

// DialConfig connects with cfg. It returns once at least one replica
// accepted a connection; the others are dialled again in the background.
func DialConfig(ctx context.Context, cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, log: cfg.Logger, pool: make(chan *session, cfg.Sessions), waiters: map[uint64]*session{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	for i := 0; i < cfg.Sessions; i++ {
		c.pool <- nil
	}
	for i, a := range cfg.Addrs {
		c.conns = append(c.conns, &conn{client: c, index: i, addr: a})
	}
	if err := c.dialAll(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dialAll dials every replica in parallel and succeeds if any answered.
func (c *Client) dialAll(ctx context.Context) error {
	errs := make(chan error, len(c.conns))
	for _, k := range c.conns {
		go func() { errs <- k.dial(ctx) }()
	}
	var last error
	ok := 0
	for range c.conns {
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

// Close closes every connection. Calls in progress fail with ErrClosed.
func (c *Client) Close() error {
	c.cancel()
	for _, k := range c.conns {
		k.close()
	}
	c.wg.Wait()
	return nil
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

// acquire takes a session from the pool, creating it on first use.
func (c *Client) acquire(ctx context.Context) (*session, error) {
	select {
	case s := <-c.pool:
		if s != nil {
			return s, nil
		}
		s, err := c.newSession()
		if err != nil {
			c.pool <- nil
		}
		return s, err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.ctx.Done():
		return nil, ErrClosed
	}
}

// release returns a session to the pool; a session whose request was
// abandoned is replaced by a fresh one later.
func (c *Client) release(s *session, reusable bool) {
	if reusable {
		c.pool <- s
		return
	}
	c.mu.Lock()
	delete(c.waiters, s.id)
	c.mu.Unlock()
	c.pool <- nil
}

func (c *Client) newSession() (*session, error) {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return nil, err
	}
	id := binary.LittleEndian.Uint64(b[:]) | 1 // never zero
	p, err := proxy.New(proxy.Config{
		ReplicaCount: len(c.cfg.Addrs), ClientID: id,
		RetryTicks: int(c.cfg.RetryInterval / tick), BroadcastAfter: c.cfg.BroadcastAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	s := &session{id: id, proxy: p, replies: make(chan *message.Reply, 16)}
	c.mu.Lock()
	c.waiters[id] = s
	c.mu.Unlock()
	return s, nil
}
