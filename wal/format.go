package wal

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
)

// Segment format 2. A segment file starts with a header of three pages:
//
//	page 0  length u32 | crc32c u32 | type u8 (6) | magic "vrwalseg" |
//	        version u32 (2) | segment u64        written once, at creation
//	page 1  mark slot 0
//	page 2  mark slot 1
//
// and its records follow from headerSize on. The first nine bytes of page 0
// look like the frame of a record of headerSize bytes, so that tools that
// walk records by their length fields step over the header; the checksum
// covers the rest of the static fields only.
//
// A mark slot is
//
//	magic u32 | crc32c u32 | segment u64 | seq u64 | durable u64 | flags u64
//
// where the checksum covers every byte after it. Marks are written only at
// rare, quiet moments (creation, Open, a roll, TruncatePrefix), never on
// the path of a sync, and only after the data they vouch for is durable.
// The slots are overwritten in turn (never the one holding the newest
// mark), each write followed by an fsync before the next, so a crash while
// one is written leaves the other one valid. Segments written before
// format 2 (format 1) have no header: their first record starts at offset 0.
const (
	pageSize     = 4096
	headerSize   = 3 * pageSize
	recSegHeader = byte(6) // the type byte of a format-2 segment header
	segVersion   = 2
	headerFixed  = frameSize + 8 + 4 + 8 // frame, magic, version, segment
	markMagic    = 0x4d535256            // "VRSM"
	markLen      = 4 + 4 + 4*8
)

var segMagic = []byte("vrwalseg")

// Mark flags.
const (
	// flagSealed: the next segment was created, and made durable, before
	// this mark was written. A sealed last segment means a lost one.
	flagSealed uint64 = 1 << iota
	// flagFirst: no earlier segment belongs to the log (TruncatePrefix
	// sets it on the segment it keeps first before removing older ones).
	flagFirst
	knownFlags = flagSealed | flagFirst
)

// mark is the content of a mark slot.
type mark struct {
	seq     uint64 // the newest valid slot (highest seq) wins
	durable int64  // every byte below it was durable before the mark was written
	flags   uint64
}

// errBadHeader and errNoMark are why a format-2 header cannot be used.
var (
	errBadHeader = errors.New("bad segment header")
	errNoMark    = errors.New("no valid mark slot")
)

// isSegHeader reports whether b starts like a format-2 segment header: no
// format-1 record has type 6 or this length.
func isSegHeader(b []byte) bool {
	return len(b) >= frameSize && le.Uint32(b) == headerSize-lenSize && b[headSize] == recSegHeader
}

// markOffset is the file offset of mark slot i.
func markOffset(i int) int64 { return int64(pageSize * (1 + i)) }

// encodeHeader returns the header of a new segment seq, with both slots
// holding valid marks of an empty segment with the given flags; slot 1
// holds the newer one.
func encodeHeader(seq, flags uint64) []byte {
	return putHeader(make([]byte, headerSize), seq, flags)
}

// putHeader encodes the header encodeHeader returns into b, of headerSize
// bytes, and returns b.
func putHeader(b []byte, seq, flags uint64) []byte {
	clear(b)
	le.PutUint32(b, headerSize-lenSize)
	b[headSize] = recSegHeader
	p := frameSize
	p += copy(b[p:], segMagic)
	le.PutUint32(b[p:], segVersion)
	le.PutUint64(b[p+4:], seq)
	le.PutUint32(b[lenSize:], crc32.Checksum(b[headSize:headerFixed], castagnoli))
	for i := range 2 {
		m := mark{seq: uint64(i + 1), durable: headerSize, flags: flags}
		copy(b[markOffset(i):], encodeMark(seq, m))
	}
	return b
}

// encodeMark encodes the mark m of segment seq.
func encodeMark(seq uint64, m mark) []byte {
	var b [markLen]byte
	putMark(&b, seq, m)
	return b[:]
}

// putMark encodes the mark m of segment seq into b.
func putMark(b *[markLen]byte, seq uint64, m mark) {
	le.PutUint32(b[0:], markMagic)
	le.PutUint64(b[8:], seq)
	le.PutUint64(b[16:], m.seq)
	le.PutUint64(b[24:], uint64(m.durable))
	le.PutUint64(b[32:], m.flags)
	le.PutUint32(b[4:], crc32.Checksum(b[8:], castagnoli))
}

// decodeMark decodes the mark slot at the start of b, which must belong to
// segment seq.
func decodeMark(b []byte, seq uint64) (mark, error) {
	switch {
	case len(b) < markLen:
		return mark{}, errIncomplete
	case le.Uint32(b) != markMagic:
		return mark{}, errors.New("bad magic")
	case crc32.Checksum(b[8:markLen], castagnoli) != le.Uint32(b[4:]):
		return mark{}, errChecksum
	case le.Uint64(b[8:]) != seq:
		return mark{}, fmt.Errorf("mark of segment %d", le.Uint64(b[8:]))
	}
	m := mark{seq: le.Uint64(b[16:]), durable: int64(le.Uint64(b[24:])), flags: le.Uint64(b[32:])}
	if m.durable < headerSize || m.flags&^knownFlags != 0 {
		return mark{}, errors.New("impossible mark")
	}
	return m, nil
}

// segHeader is what a format-2 header says.
type segHeader struct {
	newest int // slot holding the newest valid mark
	mark   mark
}

// parseHeader checks the header of segment seq at the start of b and
// returns its newest valid mark.
func parseHeader(b []byte, seq uint64) (segHeader, error) {
	if len(b) < headerSize {
		return segHeader{}, fmt.Errorf("%w: %d bytes, want at least %d", errBadHeader, len(b), headerSize)
	}
	p := frameSize
	switch {
	case !isSegHeader(b) || crc32.Checksum(b[headSize:headerFixed], castagnoli) != le.Uint32(b[lenSize:]):
		return segHeader{}, fmt.Errorf("%w: checksum", errBadHeader)
	case !bytes.Equal(b[p:p+len(segMagic)], segMagic) || le.Uint32(b[p+8:]) != segVersion:
		return segHeader{}, fmt.Errorf("%w: magic or version", errBadHeader)
	case le.Uint64(b[p+12:]) != seq:
		return segHeader{}, fmt.Errorf("%w: header of segment %d", errBadHeader, le.Uint64(b[p+12:]))
	}
	h := segHeader{newest: -1}
	for i := range 2 {
		m, err := decodeMark(b[markOffset(i):], seq)
		if err == nil && (h.newest < 0 || m.seq > h.mark.seq) {
			h.newest, h.mark = i, m
		}
	}
	if h.newest < 0 {
		return segHeader{}, errNoMark
	}
	return h, nil
}

// writeMark writes mark m of segment seq to slot i of f, encoding it in
// buf. It does not sync.
func writeMark(f File, buf *[markLen]byte, seq uint64, i int, m mark) error {
	putMark(buf, seq, m)
	_, err := f.WriteAt(buf[:], markOffset(i))
	return err
}

// tornPossible reports whether damage that starts at off of a last segment
// of size bytes, whose newest mark is m, can be a torn write: something no
// completed sync covered. Every byte below m.durable was durable before m
// was written, so damage there, or a file that ends there, is corruption.
// Above it, sync records decide (see replayer.damaged).
func (m mark) tornPossible(off, size int64) bool {
	return off >= m.durable && size >= m.durable
}
