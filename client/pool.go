package client

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// The session pool. Every session the client ever used holds an entry in
// the cluster's client table, which is bounded (--max-sessions) and evicts
// the entry with the oldest last op when a new session registers. So the
// pool reuses the most recently used idle session (LIFO), and creates one
// only when every existing session is busy: a client making one call at a
// time registers one session, and the pool grows to the client's peak
// concurrency, never to Config.Sessions unless that many calls overlap.
// The sessions used least stay at the bottom of the stack; if the table
// evicts one of ours, it is one of those.

// acquire takes a slot (at most Config.Sessions calls hold one) and the
// most recently used idle session, creating one if none is idle.
func (c *Client) acquire(ctx context.Context) (*session, error) {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, notApplied(c.ended(ctx))
	case <-c.ctx.Done():
		return nil, notApplied(ErrClosed)
	}
	if s := c.popIdle(); s != nil {
		return s, nil
	}
	s, err := c.newSession()
	if err != nil {
		<-c.slots
		return nil, notApplied(err)
	}
	return s, nil
}

// popIdle removes and returns the most recently released session, or nil.
func (c *Client) popIdle() *session {
	c.poolMu.Lock()
	defer c.poolMu.Unlock()
	n := len(c.idle)
	if n == 0 {
		return nil
	}
	s := c.idle[n-1]
	c.idle[n-1] = nil
	c.idle = c.idle[:n-1]
	return s
}

// release puts an idle session on top of the stack and frees its slot.
func (c *Client) release(s *session) {
	c.poolMu.Lock()
	c.idle = append(c.idle, s)
	c.poolMu.Unlock()
	<-c.slots
}

// drop forgets a session that must not be used again and frees its slot.
func (c *Client) drop(s *session) {
	c.mu.Lock()
	delete(c.waiters, s.id)
	c.mu.Unlock()
	c.sessions.Add(-1)
	<-c.slots
}

// newSession creates a session with a random client id. It registers in
// the client table with its first request, not before.
func (c *Client) newSession() (*session, error) {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return nil, err
	}
	id := binary.LittleEndian.Uint64(b[:]) | 1 // never zero
	// One placeholder member: follow gives the proxy the configuration
	// the client knows before its first request.
	p, err := proxy.New(proxy.Config{
		ReplicaCount: 1, ClientID: id,
		RetryTicks: int(c.cfg.RetryInterval / tick), BroadcastAfter: c.cfg.BroadcastAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	s := &session{id: id, proxy: p, replies: make(chan *message.Reply, 16)}
	c.follow(s)
	c.mu.Lock()
	c.waiters[id] = s
	c.mu.Unlock()
	c.sessions.Add(1)
	return s, nil
}

// Stats are counters of a Client's sessions, for metrics and tests.
type Stats struct {
	// Sessions is how many sessions the client holds, busy or idle: its
	// peak number of concurrent calls, less sessions dropped after a call
	// was abandoned before its request was sent.
	Sessions int
	// Registrations counts sessions registered (or being registered) in
	// the cluster's client table. Each costs one log op, and, with the
	// table full, evicts the session with the oldest last op.
	Registrations uint64
	// Evictions counts replies that said one of the client's sessions had
	// been evicted from the client table (ErrSessionEvicted).
	Evictions uint64
}

// Stats returns the client's session counters.
func (c *Client) Stats() Stats {
	return Stats{
		Sessions:      int(c.sessions.Load()),
		Registrations: c.registrations.Load(),
		Evictions:     c.evictions.Load(),
	}
}

// noteRegistration counts a session about to register and logs it.
func (c *Client) noteRegistration(s *session) {
	n := c.registrations.Add(1)
	c.log.Debug("registering client session", "session", fmt.Sprintf("%016x", s.id),
		"sessions", c.sessions.Load(), "registrations", n)
}

// noteEviction counts an eviction reply and warns: evictions mean the
// cluster's client table is too small for its clients' concurrency.
func (c *Client) noteEviction(s *session, done proxy.Completion) {
	n := c.evictions.Add(1)
	c.log.Warn("client session evicted from the cluster's client table; the call's outcome is unknown",
		"session", fmt.Sprintf("%016x", s.id), "request", done.RequestNum, "evictions", n,
		"hint", "raise --max-sessions on the replicas to at least the sum of all clients' concurrent calls (docs/operations.md)")
}
