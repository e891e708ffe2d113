package wire

import (
	"fmt"
	"math"

	"github.com/vr-go/vr/message"
)

// Invariants shared by the encoders and the decoders.

// checkKind reports an invalid request kind: one that is neither the
// protocol's nor KindConfig (a query no log holds: see checkEntryKind).
func checkKind(k message.RequestKind) error {
	if !k.OnWire() {
		return fmt.Errorf("%w: request kind %d", ErrMalformed, k)
	}
	return nil
}

// checkEntryKind reports a request kind a log entry cannot have.
func checkEntryKind(k message.RequestKind) error {
	if !k.InLog() {
		return fmt.Errorf("%w: entry of request kind %d", ErrMalformed, k)
	}
	return nil
}

// checkStatus reports an invalid reply status.
func checkStatus(s message.ReplyStatus) error {
	if !s.Valid() {
		return fmt.Errorf("%w: reply status %d", ErrMalformed, s)
	}
	return nil
}

// checkConsecutive reports entries whose Op numbers do not count up by one
// from the first, including a run that would pass math.MaxUint64.
func checkConsecutive(es []message.Entry) error {
	for i := 1; i < len(es); i++ {
		prev := es[i-1].Op
		if prev == math.MaxUint64 || es[i].Op != prev+1 {
			return fmt.Errorf("%w: entry %d has op %d after op %d", ErrMalformed, i, es[i].Op, prev)
		}
	}
	return nil
}

// checkLastOp reports a non-empty log whose last entry is not at op.
func checkLastOp(log []message.Entry, op uint64) error {
	if n := len(log); n > 0 && log[n-1].Op != op {
		return fmt.Errorf("%w: log ends at op %d, message op is %d", ErrMalformed, log[n-1].Op, op)
	}
	return nil
}

// checkLen reports a byte slice or list too long for its uint32 length.
func checkLen(n int, what string) error {
	if uint64(n) > math.MaxUint32 {
		return fmt.Errorf("%w: %s of length %d", ErrTooLarge, what, n)
	}
	return nil
}

// checkEntries checks everything an encoder must about an entry list.
func checkEntries(es []message.Entry) error {
	if err := checkLen(len(es), "entry list"); err != nil {
		return err
	}
	for i := range es {
		if err := checkEntryKind(es[i].Kind); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if err := checkLen(len(es[i].Payload), "payload"); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return checkConsecutive(es)
}

// checkChunk checks everything an encoder must about the Data of a
// CheckpointChunk: its length n against MaxChunk, and its range.
func checkChunk(offset, size uint64, n int) error {
	if n > MaxChunk {
		return fmt.Errorf("%w: checkpoint chunk of %d bytes, limit %d", ErrTooLarge, n, MaxChunk)
	}
	return checkChunkRange(offset, size, n)
}

// checkChunkRange reports n bytes at offset that do not lie within a
// checkpoint of size bytes, including a range that would pass
// math.MaxUint64. An empty chunk may sit at offset size.
func checkChunkRange(offset, size uint64, n int) error {
	if offset > size || uint64(n) > size-offset {
		return fmt.Errorf("%w: chunk of %d bytes at offset %d outside checkpoint of %d bytes", ErrMalformed, n, offset, size)
	}
	return nil
}

// errEmptyPrepare reports a Prepare that carries no entry.
var errEmptyPrepare = fmt.Errorf("%w: Prepare without entries", ErrMalformed)

var errTooManyMembers = fmt.Errorf("%w: more than %d members", ErrTooLarge, message.MaxMembers)
