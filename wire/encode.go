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
	out, err := appendBody(dst, m)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// appendBody dispatches on the concrete type of m.
func appendBody(dst []byte, m message.Message) ([]byte, error) {
	switch v := m.(type) {
	case *message.Request:
		return encode(dst, v, appendRequest)
	case *message.Reply:
		return encode(dst, v, appendReply)
	case *message.Prepare:
		return encode(dst, v, appendPrepare)
	case *message.PrepareOK:
		return encode(dst, v, appendPrepareOK)
	case *message.Commit:
		return encode(dst, v, appendCommit)
	case *message.StartViewChange:
		return encode(dst, v, appendStartViewChange)
	case *message.DoViewChange:
		return encode(dst, v, appendDoViewChange)
	case *message.StartView:
		return encode(dst, v, appendStartView)
	case *message.Recovery:
		return encode(dst, v, appendRecovery)
	case *message.RecoveryResponse:
		return encode(dst, v, appendRecoveryResponse)
	case *message.GetState:
		return encode(dst, v, appendGetState)
	case *message.NewState:
		return encode(dst, v, appendNewState)
	case *message.GetCheckpoint:
		return encode(dst, v, appendGetCheckpoint)
	case *message.CheckpointChunk:
		return encode(dst, v, appendCheckpointChunk)
	}
	return dst, fmt.Errorf("%w: cannot encode %T", ErrUnknownType, m)
}

// encode calls f unless v is a nil pointer.
func encode[T any](dst []byte, v *T, f func([]byte, *T) ([]byte, error)) ([]byte, error) {
	if v == nil {
		return dst, fmt.Errorf("%w: nil %T", ErrMalformed, v)
	}
	return f(dst, v)
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
		dst = append(dst, uint8(e.Kind))
		dst = appendBytes(dst, e.Payload)
	}
	return dst, nil
}
