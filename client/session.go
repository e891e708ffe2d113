package client

import (
	"context"
	"errors"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// session is one client session: a VR proxy with its own client id and
// request numbers, used by one call at a time.
type session struct {
	id      uint64
	proxy   *proxy.Proxy
	replies chan *message.Reply
	gen     uint64 // the client's topology generation the proxy follows
	// opSent: a request of the current operation (not its registration)
	// was written to a connection, so the operation may be applied.
	opSent bool
}

// do runs one operation to completion on a pooled session: it sends what
// the proxy asks, feeds it replies and ticks, and returns its completion.
// A non-OK completion is returned as an error of its outcome class.
func (c *Client) do(ctx context.Context, kind message.RequestKind, payload []byte) (proxy.Completion, error) {
	if ctx.Err() != nil {
		return proxy.Completion{}, notApplied(c.ended(ctx))
	}
	s, err := c.acquire(ctx)
	if err != nil {
		return proxy.Completion{}, err
	}
	c.follow(s) // what other sessions and discovery learned
	if err := c.submit(s, kind, payload); err != nil {
		c.release(s) // the proxy refused it: nothing is in flight
		return proxy.Completion{}, notApplied(err)
	}
	done, err := c.await(ctx, s)
	if err != nil {
		return proxy.Completion{}, c.abandon(s, err)
	}
	err = c.statusErr(s, done) // before another call may take s
	c.release(s)
	return done, err
}

// await drives s until its operation completes or ctx or the client ends.
func (c *Client) await(ctx context.Context, s *session) (proxy.Completion, error) {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var waited time.Duration // ticks without an answer
	for {
		if done, ok := c.pump(s); ok {
			c.learnView(s.proxy.Epoch(), s.proxy.View())
			return done, nil
		}
		select {
		case rep := <-s.replies:
			s.proxy.Handle(rep)
			if s.proxy.ConfigStale() {
				c.refresh() // a reply of a later epoch
			}
		case <-ticker.C:
			c.follow(s)
			s.proxy.Tick()
			if waited++; waited*tick >= 2*c.cfg.RetryInterval*time.Duration(c.cfg.BroadcastAfter) {
				c.refresh() // unanswered after broadcasts: the configuration may have moved
			}
		case <-ctx.Done():
			return proxy.Completion{}, c.ended(ctx)
		case <-c.ctx.Done():
			return proxy.Completion{}, ErrClosed
		}
	}
}

// ended is why a call whose context ended stops: the client closed (the
// batches' context is the client's), or the caller's context ended.
func (c *Client) ended(ctx context.Context) error {
	if c.isClosed() {
		return ErrClosed
	}
	return c.withRefusal(abandoned(ctx))
}

// abandon ends a call whose context or client ended first (err says
// which). An operation never written to a connection was not applied; its
// session is dropped, so nothing sends it later. One that was written may
// have been applied; unless the client closed, its session keeps retrying
// it in the background and returns to the pool when it completes, rather
// than registering a new session in its place.
func (c *Client) abandon(s *session, err error) error {
	c.learnView(s.proxy.Epoch(), s.proxy.View())
	if !s.opSent {
		c.drop(s)
		return notApplied(err)
	}
	if !errors.Is(err, ErrClosed) {
		c.spawn(func() { c.finish(s) })
	}
	return outcomeUnknown(err)
}

// finish drives an abandoned operation to its end and returns the session
// to the pool; it gives up when the client closes.
func (c *Client) finish(s *session) {
	done, err := c.await(c.ctx, s)
	if err != nil {
		return
	}
	if done.Status == message.StatusSessionEvicted {
		c.noteEviction(s, done)
	}
	c.release(s)
}

// statusErr is the error for a completion's status.
func (c *Client) statusErr(s *session, done proxy.Completion) error {
	switch done.Status {
	case message.StatusOK:
		return nil
	case message.StatusSessionEvicted:
		c.noteEviction(s, done)
		if !s.opSent { // the registration failed: the op never left
			return notApplied(ErrSessionEvicted)
		}
		return outcomeUnknown(ErrSessionEvicted)
	case message.StatusForbidden:
		return ErrPermissionDenied
	}
	return ErrRejected
}

// pump sends the proxy's output and reports a completion if there is one.
func (c *Client) pump(s *session) (proxy.Completion, bool) {
	out := s.proxy.Output()
	for _, snd := range out.Sends {
		addr := c.addrOf(snd.To)
		if addr == "" {
			continue // not a member the client knows: the proxy retries
		}
		if c.connTo(addr).send(snd.Req) && snd.Req.Kind != message.KindRegister {
			s.opSent = true
		}
	}
	for _, d := range out.Done {
		return d, true
	}
	return proxy.Completion{}, false
}

// submit starts payload on session s as a request of kind: stale reads go
// to the replicas in turn, everything else to the primary (registering
// the session first if it has none).
func (c *Client) submit(s *session, kind message.RequestKind, payload []byte) error {
	s.opSent = false
	switch kind {
	case message.KindRead:
		c.registerIfNeeded(s)
		return s.proxy.SubmitRead(payload)
	case message.KindStaleRead:
		c.topoMu.Lock()
		full := c.topo.full() // a witness holds no state to read
		c.topoMu.Unlock()
		if len(full) == 0 {
			return ErrBadConfig
		}
		to := int(full[c.staleNext.Add(1)%uint64(len(full))].ID)
		return s.proxy.SubmitStaleRead(payload, to)
	}
	c.registerIfNeeded(s)
	return s.proxy.Submit(payload)
}

// registerIfNeeded notes that s's next request is a registration.
func (c *Client) registerIfNeeded(s *session) {
	if !s.proxy.Registered() {
		c.noteRegistration(s)
	}
}
