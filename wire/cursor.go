package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// minEntrySize is the encoded size of an Entry with an empty payload: five
// uint64s, the kind byte and the payload length.
const minEntrySize = 5*8 + 1 + 4

// cursor reads a body front to back. Its error is sticky: after the first
// failure every read returns a zero value, so decoders read all their fields
// unconditionally and look at err once.
type cursor struct {
	b   []byte // the bytes not yet read
	lim Limits
	err error
}

// fail records err unless an earlier error is recorded.
func (c *cursor) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// take returns the next n bytes, or nil after recording a truncation.
func (c *cursor) take(n int, what string) []byte {
	if c.err != nil {
		return nil
	}
	if len(c.b) < n {
		c.fail(fmt.Errorf("%w: truncated %s: need %d bytes, have %d", ErrMalformed, what, n, len(c.b)))
		return nil
	}
	p := c.b[:n]
	c.b = c.b[n:]
	return p
}

func (c *cursor) u8(what string) uint8 {
	if p := c.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (c *cursor) u16(what string) uint16 {
	if p := c.take(2, what); p != nil {
		return le.Uint16(p)
	}
	return 0
}

func (c *cursor) u32(what string) uint32 {
	if p := c.take(4, what); p != nil {
		return le.Uint32(p)
	}
	return 0
}

func (c *cursor) u64(what string) uint64 {
	if p := c.take(8, what); p != nil {
		return le.Uint64(p)
	}
	return 0
}

// kind reads and validates a request's RequestKind.
func (c *cursor) kind() message.RequestKind {
	k := message.RequestKind(c.u8("kind"))
	if err := checkKind(k); err != nil {
		c.fail(err)
	}
	return k
}

// entryKind reads and validates a log entry's RequestKind.
func (c *cursor) entryKind() message.RequestKind {
	k := message.RequestKind(c.u8("kind"))
	if err := checkEntryKind(k); err != nil {
		c.fail(err)
	}
	return k
}

// status reads and validates a ReplyStatus.
func (c *cursor) status() message.ReplyStatus {
	s := message.ReplyStatus(c.u8("status"))
	if err := checkStatus(s); err != nil {
		c.fail(err)
	}
	return s
}

// bytes reads a length-prefixed byte slice of at most lim.MaxPayload bytes.
// The result aliases the input; see owned.
func (c *cursor) bytes(what string) []byte {
	return c.bytesUpTo(what, c.lim.MaxPayload)
}

// bytesUpTo reads a length-prefixed byte slice of at most limit bytes. The
// length is checked before anything is read past it. The result aliases the
// input; see owned.
func (c *cursor) bytesUpTo(what string, limit int) []byte {
	n := c.u32(what) // its length; a truncation is reported as of what
	if c.err == nil && uint64(n) > uint64(limit) {
		c.fail(fmt.Errorf("%w: %s of %d bytes, limit %d", ErrTooLarge, what, n, limit))
	}
	return c.take(int(n), what)
}

// owned returns a copy of p that does not alias the input, nil if p is empty.
func owned(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

// finish returns the recorded error, or ErrMalformed if bytes are left.
func (c *cursor) finish() error {
	if c.err == nil && len(c.b) > 0 {
		c.fail(fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(c.b)))
	}
	return c.err
}

// boolean reads a bool encoded as 0 or 1; any other byte is malformed, so
// the encoding stays canonical.
func (c *cursor) boolean(what string) bool {
	b := c.u8(what)
	if b > 1 {
		c.fail(fmt.Errorf("%w: %s byte %d is not 0 or 1", ErrMalformed, what, b))
	}
	return b == 1
}
