package client

import (
	"context"
	"fmt"

	"github.com/vr-go/vr/kv"
)

// Reader reads through its Client with another read mode than the
// client's Config.ReadMode: a gateway serves linearizable reads by default
// and stale ones only to callers that ask. It shares the client's
// connections and sessions; it is safe for concurrent use.
type Reader struct {
	c    *Client
	mode ReadMode
}

// Reader returns a Reader with read mode mode, or an error matching
// ErrBadConfig for an unknown mode.
func (c *Client) Reader(mode ReadMode) (*Reader, error) {
	switch mode {
	case ReadLease, ReadLog, ReadStale:
		return &Reader{c: c, mode: mode}, nil
	}
	return nil, fmt.Errorf("%w: read mode %q", ErrBadConfig, mode)
}

// Mode returns the reader's read mode.
func (r *Reader) Mode() ReadMode { return r.mode }

// Get is Client.Get with the reader's read mode.
func (r *Reader) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	res, err := r.c.runMode(ctx, kv.NewGet(key), r.mode)
	if err != nil {
		return nil, 0, err
	}
	if !res.Found {
		return nil, 0, ErrNotFound
	}
	return res.Value, res.Version, nil
}

// Scan is Client.Scan with the reader's read mode.
func (r *Reader) Scan(ctx context.Context, start, end []byte, limit int) ([]Item, bool, error) {
	res, err := r.c.runMode(ctx, kv.NewScan(start, end, limit), r.mode)
	return res.Items, res.More, err
}

// ScanPrefix is Client.ScanPrefix with the reader's read mode.
func (r *Reader) ScanPrefix(ctx context.Context, prefix []byte, limit int) ([]Item, bool, error) {
	res, err := r.c.runMode(ctx, kv.NewScanPrefix(prefix, limit), r.mode)
	return res.Items, res.More, err
}

// Query is Client.Query with the reader's read mode.
func (r *Reader) Query(ctx context.Context, op []byte) ([]byte, error) {
	return r.c.query(ctx, op, r.mode)
}
