package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// AppendMessage appends m's body encoding to dst and returns the extended
// slice. It refuses, with dst unchanged, a nil message, a type not defined
// by package message (ErrUnknownType), and a message the decoder would
// reject as malformed (ErrMalformed) or whose lengths do not fit the format
// (ErrTooLarge), including a CheckpointChunk whose Data exceeds MaxChunk.
// It does not apply Limits: those are the receiver's.
func AppendMessage(dst []byte, m message.Message) ([]byte, error) {
	var cd *codec
	if m != nil {
		cd = codecOf(m.Type())
	}
	if cd == nil {
		return dst, fmt.Errorf("%w: cannot encode %T", ErrUnknownType, m)
	}
	out, err := cd.encode(dst, m)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// appendBytes appends b with its uint32 length. The caller has checked that
// the length fits.
func appendBytes(dst, b []byte) []byte {
	dst = le.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// appendEntries checks es and appends it with its uint32 count.
func appendEntries(dst []byte, es []message.Entry) ([]byte, error) {
	if err := checkEntries(es); err != nil {
		return dst, err
	}
	dst = le.AppendUint32(dst, uint32(len(es)))
	for i := range es {
		e := &es[i]
		dst = le.AppendUint64(dst, e.Op)
		dst = le.AppendUint64(dst, e.View)
		dst = le.AppendUint64(dst, e.ClientID)
		dst = le.AppendUint64(dst, e.RequestNum)
		dst = le.AppendUint64(dst, e.Session)
		dst = append(dst, uint8(e.Kind))
		dst = appendBytes(dst, e.Payload)
	}
	return dst, nil
}
