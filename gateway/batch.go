package gateway

import (
	"context"
	"fmt"

	"github.com/vr-go/vr/kv"
)

// batchOp validates cmds and encodes them as one kv batch: one op of the
// store, applied atomically.
func (c Config) batchOp(cmds []kv.Command) ([]byte, error) {
	if len(cmds) > kv.MaxBatch {
		return nil, fmt.Errorf("%w: %d keys in one command, at most %d", ErrTooLarge, len(cmds), kv.MaxBatch)
	}
	for _, cmd := range cmds {
		if err := c.Limits.Validate(cmd); err != nil {
			return nil, err
		}
	}
	op := kv.NewBatch(cmds).Encode()
	if len(op) > c.MaxOp {
		return nil, fmt.Errorf("%w: %d bytes in one command, at most %d", ErrTooLarge, len(op), c.MaxOp)
	}
	return op, nil
}

// runBatch executes cmds as one op, through the log (write) or as a read
// by rd, and returns one result per command.
func (c Config) runBatch(ctx context.Context, rd Reader, cmds []kv.Command, write bool) ([]kv.Result, error) {
	op, err := c.batchOp(cmds)
	if err != nil {
		return nil, err
	}
	var out []byte
	if write {
		out, err = c.Store.Do(ctx, op)
	} else {
		out, err = rd.Query(ctx, op)
	}
	if err != nil {
		return nil, err
	}
	res, err := kv.DecodeResult(out)
	if err != nil {
		return nil, err
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	if res.Kind != kv.KindBatch || len(res.Batch) != len(cmds) {
		return nil, fmt.Errorf("gateway: batch of %d answered with %v of %d results", len(cmds), res.Kind, len(res.Batch))
	}
	for _, sub := range res.Batch {
		if err := sub.Err(); err != nil {
			return nil, err
		}
	}
	return res.Batch, nil
}
