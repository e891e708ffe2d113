package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// entries reads a counted entry list, nil if empty. The count is checked
// against lim.MaxEntries and against the bytes left before anything is
// allocated, so a short body cannot cause a large allocation.
//
// An entry list is always the last field of a body, so the payloads take
// exactly the bytes left after the fixed parts of the entries (a body with
// trailing bytes is rejected anyway). They are copied into one array of that
// size, each capped at its length so that appending to one payload cannot
// overwrite the next.
func (c *cursor) entries() []message.Entry {
	n := c.u32("entry count")
	if c.err != nil || n == 0 {
		return nil
	}
	if uint64(n) > uint64(c.lim.MaxEntries) {
		c.fail(fmt.Errorf("%w: %d entries, limit %d", ErrTooLarge, n, c.lim.MaxEntries))
		return nil
	}
	fixed := uint64(n) * minEntrySize
	if fixed > uint64(len(c.b)) {
		c.fail(fmt.Errorf("%w: %d entries cannot fit in %d bytes", ErrMalformed, n, len(c.b)))
		return nil
	}
	es := make([]message.Entry, n)
	var arena []byte
	if rest := len(c.b) - int(fixed); rest > 0 {
		arena = make([]byte, rest)
	}
	for i := range es {
		arena = c.entry(&es[i], arena)
	}
	if c.err != nil {
		return nil
	}
	if err := checkConsecutive(es); err != nil {
		c.fail(err)
		return nil
	}
	return es
}

// entry reads one Entry, copying its payload to the front of arena, and
// returns the rest of arena.
func (c *cursor) entry(e *message.Entry, arena []byte) []byte {
	e.Op = c.u64("entry op")
	e.View = c.u64("entry view")
	e.ClientID = c.u64("entry client id")
	e.RequestNum = c.u64("entry request number")
	e.Session = c.u64("entry session")
	e.Kind = c.entryKind()
	p := c.bytes("payload")
	if len(p) > len(arena) {
		// The payloads so far leave too few bytes for the entries after.
		c.fail(fmt.Errorf("%w: entries truncated", ErrMalformed))
	}
	if c.err != nil || len(p) == 0 {
		return arena
	}
	n := copy(arena, p)
	e.Payload = arena[:n:n]
	return arena[n:]
}
