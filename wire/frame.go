package wire

import (
	"fmt"
	"hash/crc32"

	"github.com/vr-go/vr/message"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is the CRC-32C of header[:offChecksum] followed by body.
func checksum(header, body []byte) uint32 {
	c := crc32.Update(0, castagnoli, header[:offChecksum])
	return crc32.Update(c, castagnoli, body)
}

// AppendFrame appends a whole frame carrying m (header, then body) to dst.
// It does not allocate when dst has room for the frame. On error dst is
// returned unchanged; errors are those of AppendMessage, and ErrTooLarge if
// the body exceeds 4 GiB - 1.
func AppendFrame(dst []byte, cluster uint64, sender uint8, m message.Message) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, HeaderSize)...)
	out, err := AppendMessage(dst, m)
	if err != nil {
		return dst[:start], err
	}
	n := len(out) - start - HeaderSize
	if err := checkLen(n, "body"); err != nil {
		return out[:start], err
	}
	hdr := out[start : start+HeaderSize]
	putHeader(hdr, Header{
		Version: Version,
		Type:    m.Type(),
		Sender:  sender,
		Cluster: cluster,
		Length:  uint32(n),
	})
	le.PutUint32(hdr[offChecksum:], checksum(hdr, out[start+HeaderSize:]))
	return out, nil
}

// DecodeFrame verifies a frame and decodes its body. h must be the result of
// ParseHeader(headerBytes, ...); headerBytes is re-parsed and must agree
// with h. body must be exactly h.Length bytes, and the checksum in h must
// match headerBytes and body.
func DecodeFrame(h Header, headerBytes, body []byte, lim Limits) (message.Message, error) {
	ph, err := ParseHeader(headerBytes, lim)
	if err != nil {
		return nil, err
	}
	if ph != h {
		return nil, fmt.Errorf("%w: header %+v does not match its bytes %+v", ErrMalformed, h, ph)
	}
	if uint64(len(body)) != uint64(h.Length) {
		return nil, fmt.Errorf("%w: body of %d bytes, header says %d", ErrMalformed, len(body), h.Length)
	}
	if sum := checksum(headerBytes, body); sum != h.Checksum {
		return nil, fmt.Errorf("%w: computed %#08x, header has %#08x", ErrChecksum, sum, h.Checksum)
	}
	return DecodeMessage(h.Type, body, lim)
}
