package client

import (
	"context"

	"github.com/vr-go/vr/message"
)

// Do executes op as one operation of the replicated state machine, whatever
// that state machine is, and returns its result: the op goes through the
// log, is applied at most once on every replica, and the primary answers
// once it is committed. The key-value methods (Get, Put, ...) are a typed
// layer over the same path. Errors say whether op may have been applied
// (ErrOutcomeUnknown) or certainly was not (ErrNotApplied).
func (c *Client) Do(ctx context.Context, op []byte) ([]byte, error) {
	return c.generic(ctx, message.KindApp, op)
}

// Query executes a read-only op the way Config.ReadMode says: answered by
// the primary alone under its read lease (the state machine must implement
// core.Querier and accept op; otherwise the primary sends it through the
// log), by any replica (ReadStale), or through the log (ReadLog). A state
// machine that does not implement core.Querier answers only ReadLog
// queries.
func (c *Client) Query(ctx context.Context, op []byte) ([]byte, error) {
	return c.query(ctx, op, c.cfg.ReadMode)
}

// query is Query with the read mode given.
func (c *Client) query(ctx context.Context, op []byte, mode ReadMode) ([]byte, error) {
	kind := message.KindApp
	switch mode {
	case ReadLease:
		kind = message.KindRead
	case ReadStale:
		kind = message.KindStaleRead
	}
	return c.generic(ctx, kind, op)
}

func (c *Client) generic(ctx context.Context, kind message.RequestKind, op []byte) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, notApplied(c.ended(ctx))
	}
	done, err := c.do(ctx, kind, op)
	if err != nil {
		return nil, err
	}
	return done.Result, nil
}
