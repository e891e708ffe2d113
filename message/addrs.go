package message

import (
	"errors"
	"fmt"
)

// Member addresses. A member's Addr is opaque to the protocol: the core
// carries it with the member (in the RECONFIGURATION, StartEpoch and the
// hard state) and never reads it; the runtime (node, client) dials it. See
// docs/protocol.md, "Addresses".
//
// The address section follows a list of member lists when any member of
// them has an address: for each member of each list in order, a uint8
// length and that many bytes. Without it (no member has an address) the
// encoding is what it was before addresses existed, so old payloads, frames
// and hard-state records decode unchanged, and a cluster that gives no
// addresses (the simulator) encodes exactly the same bytes.

// MaxAddrLen bounds the length of one member address.
const MaxAddrLen = 255

// ErrBadAddrs is returned for an address section that does not decode or
// an address that is too long.
var ErrBadAddrs = errors.New("message: malformed member addresses")

// HasAddrs reports whether any member of lists has an address.
func HasAddrs(lists ...[]Member) bool {
	for _, ms := range lists {
		for _, m := range ms {
			if m.Addr != "" {
				return true
			}
		}
	}
	return false
}

// CheckAddrs reports an address too long to encode.
func CheckAddrs(lists ...[]Member) error {
	for _, ms := range lists {
		for _, m := range ms {
			if len(m.Addr) > MaxAddrLen {
				return fmt.Errorf("%w: member %d address of %d bytes", ErrBadAddrs, m.ID, len(m.Addr))
			}
		}
	}
	return nil
}

// AppendAddrs appends the address section of lists, or nothing if no
// member has an address. Addresses must pass CheckAddrs (longer ones are
// a bug of the caller and panic).
func AppendAddrs(dst []byte, lists ...[]Member) []byte {
	if !HasAddrs(lists...) {
		return dst
	}
	for _, ms := range lists {
		for _, m := range ms {
			if len(m.Addr) > MaxAddrLen {
				panic(fmt.Sprintf("message: member %d address of %d bytes", m.ID, len(m.Addr)))
			}
			dst = append(dst, uint8(len(m.Addr)))
			dst = append(dst, m.Addr...)
		}
	}
	return dst
}

// AddrsSize is the encoded size of the address section of lists.
func AddrsSize(lists ...[]Member) int {
	if !HasAddrs(lists...) {
		return 0
	}
	n := 0
	for _, ms := range lists {
		for _, m := range ms {
			n += 1 + len(m.Addr)
		}
	}
	return n
}

// DecodeAddrs reads the address section b (empty: no addresses) into the
// members of lists, in place. It must consume b exactly.
func DecodeAddrs(b []byte, lists ...[]Member) error {
	if len(b) == 0 {
		return nil
	}
	for _, ms := range lists {
		for i := range ms {
			if len(b) < 1 || len(b) < 1+int(b[0]) {
				return fmt.Errorf("%w: truncated", ErrBadAddrs)
			}
			ms[i].Addr, b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
		}
	}
	switch {
	case len(b) != 0:
		return fmt.Errorf("%w: %d bytes left over", ErrBadAddrs, len(b))
	case !HasAddrs(lists...):
		// AppendAddrs writes no section without an address: one of empty
		// addresses is not canonical.
		return fmt.Errorf("%w: a section without an address", ErrBadAddrs)
	}
	return nil
}
