package gateway_test

import (
	"context"
	"errors"
	"strconv"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/gateway"
)

// The bugs below live only in tests: each check runs once against the
// real gateway and once against a gateway over one of these stores, and
// must pass the first time and fail the second.

// rmwIncrStore implements INCR as a client-side read-modify-write: a read,
// then a write of the sum. Concurrent increments overwrite one another.
type rmwIncrStore struct{ gateway.Store }

func (s rmwIncrStore) Incr(ctx context.Context, key []byte, delta int64) (int64, uint64, error) {
	var n int64
	v, _, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, client.ErrNotFound):
	case err != nil:
		return 0, 0, err
	default:
		if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return 0, 0, err
		}
	}
	n += delta
	version, err := s.Put(ctx, key, []byte(strconv.FormatInt(n, 10)))
	return n, version, err
}

// blindCASStore ignores the expected version: every compare-and-set
// writes.
type blindCASStore struct{ gateway.Store }

func (s blindCASStore) CAS(ctx context.Context, key []byte, _ uint64, value []byte) (uint64, error) {
	return s.Put(ctx, key, value)
}

func withRMWIncr(cfg *gateway.Config)  { cfg.Store = rmwIncrStore{cfg.Store} }
func withBlindCAS(cfg *gateway.Config) { cfg.Store = blindCASStore{cfg.Store} }
