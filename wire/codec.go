package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// codec is the encoding of one message type.
type codec struct {
	// encode appends the body of m, which has the codec's type; see
	// AppendMessage for what it refuses.
	encode func(dst []byte, m message.Message) ([]byte, error)
	// decode reads a body from c; see DecodeMessage.
	decode func(c cursor) (message.Message, error)
}

// codecs holds the codec of every message type, indexed by type. A new type
// needs its encoder (encode_messages.go), its decoder (decode.go) and an
// entry here; TestCodecForEveryType fails until it has them.
var codecs = [...]codec{
	message.TypeRequest:          {encoder(appendRequest), decodeRequest},
	message.TypeReply:            {encoder(appendReply), decodeReply},
	message.TypePrepare:          {encoder(appendPrepare), decodePrepare},
	message.TypePrepareOK:        {encoder(appendPrepareOK), decodePrepareOK},
	message.TypeCommit:           {encoder(appendCommit), decodeCommit},
	message.TypeStartViewChange:  {encoder(appendStartViewChange), decodeStartViewChange},
	message.TypeDoViewChange:     {encoder(appendDoViewChange), decodeDoViewChange},
	message.TypeStartView:        {encoder(appendStartView), decodeStartView},
	message.TypeRecovery:         {encoder(appendRecovery), decodeRecovery},
	message.TypeRecoveryResponse: {encoder(appendRecoveryResponse), decodeRecoveryResponse},
	message.TypeGetState:         {encoder(appendGetState), decodeGetState},
	message.TypeNewState:         {encoder(appendNewState), decodeNewState},
	message.TypeGetCheckpoint:    {encoder(appendGetCheckpoint), decodeGetCheckpoint},
	message.TypeCheckpointChunk:  {encoder(appendCheckpointChunk), decodeCheckpointChunk},
}

// codecOf returns the codec of t, nil if t has none. TestCodecForEveryType
// checks that exactly the types package message knows have one, so this
// need not ask package message.
func codecOf(t message.Type) *codec {
	if int(t) >= len(codecs) || codecs[t].decode == nil {
		return nil
	}
	return &codecs[t]
}

// encoder turns f, the encoder of the message struct P points to, into a
// codec's encode: it refuses a message of another Go type (which may claim
// P's message type) and a nil P.
func encoder[T any, P interface {
	*T
	message.Message
}](f func([]byte, P) ([]byte, error)) func([]byte, message.Message) ([]byte, error) {
	return func(dst []byte, m message.Message) ([]byte, error) {
		v, ok := m.(P)
		if !ok {
			return dst, fmt.Errorf("%w: cannot encode %T", ErrUnknownType, m)
		}
		if v == nil {
			return dst, fmt.Errorf("%w: nil %T", ErrMalformed, v)
		}
		return f(dst, v)
	}
}
