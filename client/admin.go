package client

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// ErrRefused: the cluster refused a reconfiguration without executing it;
// the *RefusedError says why. It matches ErrNotApplied.
var ErrRefused error = &classified{msg: "client: reconfiguration refused", class: ErrNotApplied}

// RefusedError reports why a reconfiguration was refused (one of
// message's RefusalReasons) and, for a stale epoch, the current one. It
// matches ErrRefused and ErrNotApplied.
type RefusedError struct {
	Reason message.RefusalReason
	// Current is the cluster's epoch when Reason is RefuseStaleEpoch.
	Current uint64
}

func (e *RefusedError) Error() string {
	if e.Reason == message.RefuseStaleEpoch {
		return fmt.Sprintf("client: reconfiguration refused: %v (the cluster is in epoch %d)", e.Reason, e.Current)
	}
	return fmt.Sprintf("client: reconfiguration refused: %v", e.Reason)
}

// Unwrap makes errors.Is(err, ErrRefused) and ErrNotApplied true.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// Reconfigure asks the cluster to move from epoch to the configuration
// members (ids, roles and addresses: message.Member), as its administrator:
// the request carries a MAC of the cluster's admin secret (auth.SealAdmin),
// which every replica checks. It is a check-and-set: epoch must be the
// cluster's current one. It returns once the primary executed it (the new
// epoch began), or a *RefusedError. Use Config to see the configuration
// the client learns next.
func (c *Client) Reconfigure(ctx context.Context, secret []byte, epoch uint64, members []message.Member) error {
	if err := message.CheckAddrs(members); err != nil {
		return notApplied(fmt.Errorf("%w: %w", ErrBadConfig, err))
	}
	payload := message.Reconfiguration{Epoch: epoch, Members: members}.Encode()
	s, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	c.follow(s)
	s.opSent = false
	c.registerIfNeeded(s)
	seal := func(num uint64, p []byte) []byte { return auth.SealAdmin(secret, c.cfg.ClusterID, s.id, num, p) }
	if err := s.proxy.SubmitAdmin(payload, seal); err != nil {
		c.release(s)
		return notApplied(err)
	}
	done, err := c.await(ctx, s)
	if err != nil {
		return c.abandon(s, err)
	}
	err = c.reconfigErr(s, done)
	c.release(s)
	if err == nil {
		c.lastRefresh.Store(0)
		c.refresh() // learn the new configuration
	}
	return err
}

// reconfigErr is the error a reconfiguration's completion means.
func (c *Client) reconfigErr(s *session, done proxy.Completion) error {
	if done.Status != message.StatusRefused {
		return c.statusErr(s, done)
	}
	e := &RefusedError{}
	if len(done.Result) > 0 {
		e.Reason = message.RefusalReason(done.Result[0])
	}
	if len(done.Result) >= 9 {
		e.Current = binary.LittleEndian.Uint64(done.Result[1:])
	}
	return e
}

// Refresh asks the replicas the client knows for the newest configuration
// and waits for the answer (at most ctx's deadline or the dial timeout).
func (c *Client) Refresh(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	return c.discover(ctx)
}
