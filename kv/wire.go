package kv

import "encoding/binary"

// appendBytes appends a uvarint length followed by b.
func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// encodable is a Command or a Result.
type encodable interface {
	appendTo([]byte) []byte
	MaxEncodedLen() int
}

// appendNested appends v's encoding as a byte string, as appendBytes(dst,
// v.Encode()) would, without encoding into a slice of its own: it reserves
// the length prefix for v's size bound, encodes in place, writes the
// length, and closes the gap if the length took fewer bytes (the length
// must be canonical).
func appendNested[T encodable](dst []byte, v T) []byte {
	w := uvarintLen(uint64(v.MaxEncodedLen()))
	start := len(dst)
	dst = append(dst, make([]byte, w)...)
	dst = v.appendTo(dst)
	n := len(dst) - start - w
	k := binary.PutUvarint(dst[start:start+w], uint64(n))
	if k < w {
		copy(dst[start+k:], dst[start+w:])
		dst = dst[:len(dst)-(w-k)]
	}
	return dst
}

// appendBool appends a 0 or 1 byte.
func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// uvarintLen is the length of the canonical uvarint encoding of v.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// reader decodes the wire format strictly: every value must use its
// canonical encoding, so that decoding then encoding gives the same bytes.
// The first failure sticks in ok; later reads return zero values.
type reader struct {
	b  []byte
	ok bool
}

func newReader(b []byte) *reader { return &reader{b: b, ok: true} }

// uvarint reads a canonical uvarint.
func (r *reader) uvarint() uint64 {
	if !r.ok {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || n != uvarintLen(v) {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

// varint reads a signed number written by binary.AppendVarint (zig-zag
// over a canonical uvarint, so it is canonical too).
func (r *reader) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// byte1 reads one byte.
func (r *reader) byte1() byte {
	if !r.ok || len(r.b) == 0 {
		r.ok = false
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// boolean reads a byte that must be 0 or 1.
func (r *reader) boolean() bool {
	switch r.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	r.ok = false
	return false
}

// bytes reads a length-prefixed byte string, aliasing the input. An empty
// string reads as nil.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	if n == 0 {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// count reads a uvarint that must fit in an int32 and, for element counts,
// be no more than the remaining bytes divided by minSize (so a forged count
// cannot force a huge allocation).
func (r *reader) count(minSize int) int {
	v := r.uvarint()
	if !r.ok || v > 1<<31-1 || (minSize > 0 && v > uint64(len(r.b)/minSize)) {
		r.ok = false
		return 0
	}
	return int(v)
}

// done reports whether every read succeeded and the input is consumed.
func (r *reader) done() bool { return r.ok && len(r.b) == 0 }
