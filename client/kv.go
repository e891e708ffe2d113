package client

import (
	"context"
	"fmt"

	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
)

// Item is one key of a scan with its value and version.
type Item = kv.Item

// run validates cmd, executes it (a read as the read mode says, a write
// through the log, coalesced with others if Config.Coalesce is set) and
// decodes its result.
func (c *Client) run(ctx context.Context, cmd kv.Command) (kv.Result, error) {
	return c.runMode(ctx, cmd, c.cfg.ReadMode)
}

// runMode is run with the read mode given.
func (c *Client) runMode(ctx context.Context, cmd kv.Command, mode ReadMode) (kv.Result, error) {
	if err := c.cfg.Limits.Validate(cmd); err != nil {
		return kv.Result{}, notApplied(err)
	}
	if ctx.Err() != nil { // ended already: send nothing
		return kv.Result{}, notApplied(c.ended(ctx))
	}
	kind := kindOf(cmd, mode)
	if c.cfg.Coalesce > 0 && !cmd.ReadOnly() {
		return c.runCoalesced(ctx, cmd)
	}
	return c.execute(ctx, kind, cmd)
}

// execute sends cmd as one request of kind and decodes its result.
func (c *Client) execute(ctx context.Context, kind message.RequestKind, cmd kv.Command) (kv.Result, error) {
	done, err := c.do(ctx, kind, cmd.Encode())
	if err != nil {
		return kv.Result{}, err
	}
	res, err := kv.DecodeResult(done.Result)
	if err != nil {
		return kv.Result{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	// The store refused the command without changing anything.
	return res, notApplied(res.Err())
}

// Get returns the value and version of key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	res, err := c.run(ctx, kv.NewGet(key))
	if err != nil {
		return nil, 0, err
	}
	if !res.Found {
		return nil, 0, ErrNotFound
	}
	return res.Value, res.Version, nil
}

// Put writes value at key and returns the key's new version.
func (c *Client) Put(ctx context.Context, key, value []byte) (uint64, error) {
	res, err := c.run(ctx, kv.NewPut(key, value))
	return res.Version, err
}

// Delete removes key. It reports whether the key existed.
func (c *Client) Delete(ctx context.Context, key []byte) (bool, error) {
	res, err := c.run(ctx, kv.NewDelete(key))
	return res.Found, err
}

// CAS writes value at key if the key's version is expected (0: the key must
// not exist) and returns the new version. Otherwise it returns a *CASError
// (errors.Is(err, ErrVersionMismatch)) with the current version.
func (c *Client) CAS(ctx context.Context, key []byte, expected uint64, value []byte) (uint64, error) {
	res, err := c.run(ctx, kv.NewCAS(key, expected, value))
	if err != nil {
		return 0, err
	}
	if !res.Swapped {
		return 0, &CASError{Current: res.Version}
	}
	return res.Version, nil
}

// Scan returns up to limit keys in [start, end) in key order (an empty end
// means no upper bound; limit 0 means the server's maximum), and whether
// more keys remain in range.
func (c *Client) Scan(ctx context.Context, start, end []byte, limit int) ([]Item, bool, error) {
	res, err := c.run(ctx, kv.NewScan(start, end, limit))
	return res.Items, res.More, err
}

// ScanPrefix returns up to limit keys that start with prefix.
func (c *Client) ScanPrefix(ctx context.Context, prefix []byte, limit int) ([]Item, bool, error) {
	res, err := c.run(ctx, kv.NewScanPrefix(prefix, limit))
	return res.Items, res.More, err
}

// kindOf is the request kind that carries cmd under a read mode.
func kindOf(cmd kv.Command, mode ReadMode) message.RequestKind {
	if !cmd.ReadOnly() {
		return message.KindApp
	}
	switch mode {
	case ReadLease:
		return message.KindRead
	case ReadStale:
		return message.KindStaleRead
	}
	return message.KindApp
}
