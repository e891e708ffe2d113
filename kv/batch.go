package kv

import (
	"encoding/binary"
	"fmt"
)

// MaxBatch is the most commands one batch may hold.
const MaxBatch = 1024

// NewBatch returns a command that runs cmds one after the other.
func NewBatch(cmds []Command) Command { return Command{Kind: KindBatch, Batch: cmds} }

// appendBatch encodes a batch's commands: their count, then each one's
// encoding as a byte string.
func appendBatch(b []byte, cmds []Command) []byte {
	b = binary.AppendUvarint(b, uint64(len(cmds)))
	for _, c := range cmds {
		b = appendNested(b, c)
	}
	return b
}

// decodeBatch decodes what appendBatch wrote. A batch inside a batch, an
// empty batch or one above MaxBatch does not decode.
func decodeBatch(r *reader) ([]Command, error) {
	n := r.count(2) // a command takes at least 2 bytes (length and kind)
	if !r.ok || n == 0 || n > MaxBatch {
		return nil, fmt.Errorf("%w: batch of %d commands", ErrBadCommand, n)
	}
	cmds := make([]Command, n)
	for i := range cmds {
		c, err := DecodeCommand(r.bytes())
		if err != nil {
			return nil, err
		}
		if c.Kind == KindBatch {
			return nil, fmt.Errorf("%w: batch inside a batch", ErrBadCommand)
		}
		cmds[i] = c
	}
	return cmds, nil
}

// decodeBatch reads a batch result's results.
func (res *Result) decodeBatch(r *reader) {
	n := r.count(3) // a result takes at least 3 bytes
	if !r.ok || n == 0 || n > MaxBatch {
		r.ok = false
		return
	}
	res.Batch = make([]Result, n)
	for i := range res.Batch {
		sub, err := DecodeResult(r.bytes())
		if err != nil || sub.Kind == KindBatch {
			r.ok = false
			return
		}
		res.Batch[i] = sub
	}
}

// checkBatch validates a batch's commands.
func (l Limits) checkBatch(cmds []Command) error {
	if len(cmds) == 0 || len(cmds) > MaxBatch {
		return fmt.Errorf("%w: a batch holds 1 to %d commands, not %d", ErrBadCommand, MaxBatch, len(cmds))
	}
	for i, c := range cmds {
		if c.Kind == KindBatch {
			return fmt.Errorf("%w: batch inside a batch", ErrBadCommand)
		}
		if err := l.Validate(c); err != nil {
			return fmt.Errorf("batch command %d: %w", i, err)
		}
	}
	return nil
}
