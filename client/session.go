package client

import (
	"context"
	"fmt"
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
}

// do runs one operation to completion on a pooled session: it sends what
// the proxy asks, feeds it replies and ticks, and returns its completion.
func (c *Client) do(ctx context.Context, kind message.RequestKind, payload []byte) (proxy.Completion, error) {
	s, err := c.acquire(ctx)
	if err != nil {
		return proxy.Completion{}, err
	}
	s.proxy.LearnView(c.view.Load()) // what other sessions learned
	defer func() { c.learnView(s.proxy.View()) }()
	if err := c.submit(s, kind, payload); err != nil {
		c.release(s, false)
		return proxy.Completion{}, err
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		if done, ok := c.pump(s); ok {
			c.release(s, true)
			return done, nil
		}
		select {
		case rep := <-s.replies:
			s.proxy.Handle(rep)
		case <-ticker.C:
			s.proxy.Tick()
		case <-ctx.Done():
			// The request stays outstanding in this session, so the
			// session cannot take another: drop it.
			c.release(s, false)
			return proxy.Completion{}, fmt.Errorf("client: request abandoned, outcome unknown: %w", ctx.Err())
		case <-c.ctx.Done():
			return proxy.Completion{}, ErrClosed
		}
	}
}

// pump sends the proxy's output and reports a completion if there is one.
func (c *Client) pump(s *session) (proxy.Completion, bool) {
	out := s.proxy.Output()
	for _, snd := range out.Sends {
		c.conns[snd.To].send(snd.Req)
	}
	for _, d := range out.Done {
		return d, true
	}
	return proxy.Completion{}, false
}

// submit starts payload on session s as a request of kind: stale reads go
// to the replicas in turn, everything else to the primary.
func (c *Client) submit(s *session, kind message.RequestKind, payload []byte) error {
	switch kind {
	case message.KindRead:
		return s.proxy.SubmitRead(payload)
	case message.KindStaleRead:
		to := int(c.staleNext.Add(1) % uint64(len(c.conns)))
		return s.proxy.SubmitStaleRead(payload, to)
	}
	return s.proxy.Submit(payload)
}
