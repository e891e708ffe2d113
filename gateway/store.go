package gateway

import (
	"context"
	"log/slog"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/wire"
)

// Reader is the read side of a Store. A *client.Client and a
// *client.Reader implement it.
type Reader interface {
	Get(ctx context.Context, key []byte) ([]byte, uint64, error)
	Scan(ctx context.Context, start, end []byte, limit int) ([]kv.Item, bool, error)
	// Query executes a read-only kv command (encoded) and returns its
	// encoded kv.Result: MGET and EXISTS read several keys in one op.
	Query(ctx context.Context, op []byte) ([]byte, error)
}

// Store is the replicated store a gateway serves; *client.Client
// implements it. Its errors follow package client: kv sentinels for bad
// input, client.ErrNotFound, *client.CASError, and the outcome classes
// client.ErrNotApplied and client.ErrOutcomeUnknown.
type Store interface {
	Reader
	Put(ctx context.Context, key, value []byte) (uint64, error)
	Delete(ctx context.Context, key []byte) (bool, error)
	CAS(ctx context.Context, key []byte, expected uint64, value []byte) (uint64, error)
	// Incr adds delta to the integer at key in one replicated op.
	Incr(ctx context.Context, key []byte, delta int64) (int64, uint64, error)
	// Do executes an encoded kv command through the log (MSET, and DEL of
	// several keys, as one batch).
	Do(ctx context.Context, op []byte) ([]byte, error)
}

var (
	_ Store  = (*client.Client)(nil)
	_ Reader = (*client.Reader)(nil)
)

// Config configures the Redis server and the HTTP handler. Zero fields
// take defaults.
type Config struct {
	// Store serves writes and linearizable reads. Required.
	Store Store
	// Stale serves the reads a caller marked stale (Redis READONLY, HTTP
	// ?stale=1). Nil refuses them.
	Stale Reader
	// Limits are the cluster's store limits, checked before sending; a
	// key or value beyond them is refused (HTTP 413). Default
	// kv.DefaultLimits.
	Limits kv.Limits
	// MaxOp bounds one operation's encoding (MSET, DEL of many keys): the
	// largest request payload the replicas accept. Default
	// wire.DefaultLimits().MaxPayload less 1 KiB of headroom.
	MaxOp int
	// Timeout bounds each command's wait for the cluster. Default 5s.
	Timeout time.Duration
	// View, if set, tells INFO the cluster's view and primary
	// (client.Client.View).
	View func() (view uint64, primary string)
	// Replicas are the cluster's addresses, for INFO.
	Replicas []string
	// MaxConns bounds the Redis connections open at once. Default 10,000.
	MaxConns int
	// MaxRequest bounds one Redis request's size in bytes. Default 4 MiB.
	MaxRequest int
	// IdleTimeout closes a Redis connection silent for that long.
	// Default 0: never (Redis's own default).
	IdleTimeout time.Duration
	Logger      *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Limits == (kv.Limits{}) {
		c.Limits = kv.DefaultLimits()
	}
	if c.MaxOp == 0 {
		c.MaxOp = wire.DefaultLimits().MaxPayload - 1<<10
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.MaxConns == 0 {
		c.MaxConns = 10_000
	}
	if c.MaxRequest == 0 {
		c.MaxRequest = 4 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// reader returns the Reader for a caller that asked for stale reads or
// not, or ErrStaleRefused.
func (c Config) reader(stale bool) (Reader, error) {
	if !stale {
		return c.Store, nil
	}
	if c.Stale == nil {
		return nil, ErrStaleRefused
	}
	return c.Stale, nil
}
