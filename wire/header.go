package wire

import (
	"encoding/binary"
	"fmt"

	"github.com/vr-go/vr/message"
)

const (
	// Magic starts every frame: the bytes "VRwf" read as a little-endian
	// uint32.
	Magic uint32 = 0x66775256
	// Version is the only frame version this package reads and writes. 4:
	// a Request and every log Entry carry the client's Session after the
	// request number; 3: a PrepareOK carries the sender's newest saved checkpoint (Saved), and
	// a StartEpoch its members' addresses; 2:
	// every body starts with the sender's epoch (uint64); 1 had none.
	Version uint8 = 4
	// HeaderSize is the size in bytes of a frame header.
	HeaderSize = 24
	// SenderClient is the sender of frames sent by clients.
	SenderClient uint8 = 255
)

// Offsets of the header fields.
const (
	offMagic    = 0
	offVersion  = 4
	offType     = 5
	offSender   = 6
	offReserved = 7
	offCluster  = 8
	offLength   = 16
	offChecksum = 20
)

var le = binary.LittleEndian

// Header is a parsed frame header. The magic and the reserved byte are
// checked by ParseHeader and not kept.
type Header struct {
	Version  uint8
	Type     message.Type
	Sender   uint8
	Cluster  uint64
	Length   uint32 // body length in bytes
	Checksum uint32 // CRC-32C of the header's first 20 bytes and the body
}

// ParseHeader parses and validates the frame header in b[:HeaderSize]:
// magic, version, reserved byte, known type and Length within lim.MaxBody.
// It cannot check the checksum, which covers the body; DecodeFrame does.
func ParseHeader(b []byte, lim Limits) (Header, error) {
	lim = lim.orDefaults()
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: header of %d bytes, want %d", ErrMalformed, len(b), HeaderSize)
	}
	if m := le.Uint32(b[offMagic:]); m != Magic {
		return Header{}, fmt.Errorf("%w: %#08x", ErrBadMagic, m)
	}
	h := Header{
		Version:  b[offVersion],
		Type:     message.Type(b[offType]),
		Sender:   b[offSender],
		Cluster:  le.Uint64(b[offCluster:]),
		Length:   le.Uint32(b[offLength:]),
		Checksum: le.Uint32(b[offChecksum:]),
	}
	if h.Version != Version {
		return Header{}, fmt.Errorf("%w: %d", ErrBadVersion, h.Version)
	}
	if r := b[offReserved]; r != 0 {
		return Header{}, fmt.Errorf("%w: reserved byte is %#02x", ErrMalformed, r)
	}
	if !h.Type.Valid() {
		return Header{}, fmt.Errorf("%w: %v", ErrUnknownType, h.Type)
	}
	if uint64(h.Length) > uint64(lim.MaxBody) {
		return Header{}, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, h.Length, lim.MaxBody)
	}
	return h, nil
}

// putHeader writes h, with Magic and a zero reserved byte, into b[:HeaderSize].
func putHeader(b []byte, h Header) {
	le.PutUint32(b[offMagic:], Magic)
	b[offVersion] = h.Version
	b[offType] = uint8(h.Type)
	b[offSender] = h.Sender
	b[offReserved] = 0
	le.PutUint64(b[offCluster:], h.Cluster)
	le.PutUint32(b[offLength:], h.Length)
	le.PutUint32(b[offChecksum:], h.Checksum)
}
