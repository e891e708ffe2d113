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
	message.TypeRequest:          {encoder(appendRequest), withEpoch(decodeRequest)},
	message.TypeReply:            {encoder(appendReply), withEpoch(decodeReply)},
	message.TypePrepare:          {encoder(appendPrepare), withEpoch(decodePrepare)},
	message.TypePrepareOK:        {encoder(appendPrepareOK), withEpoch(decodePrepareOK)},
	message.TypeCommit:           {encoder(appendCommit), withEpoch(decodeCommit)},
	message.TypeStartViewChange:  {encoder(appendStartViewChange), withEpoch(decodeStartViewChange)},
	message.TypeDoViewChange:     {encoder(appendDoViewChange), withEpoch(decodeDoViewChange)},
	message.TypeStartView:        {encoder(appendStartView), withEpoch(decodeStartView)},
	message.TypeRecovery:         {encoder(appendRecovery), withEpoch(decodeRecovery)},
	message.TypeRecoveryResponse: {encoder(appendRecoveryResponse), withEpoch(decodeRecoveryResponse)},
	message.TypeGetState:         {encoder(appendGetState), withEpoch(decodeGetState)},
	message.TypeNewState:         {encoder(appendNewState), withEpoch(decodeNewState)},
	message.TypeGetCheckpoint:    {encoder(appendGetCheckpoint), withEpoch(decodeGetCheckpoint)},
	message.TypeCheckpointChunk:  {encoder(appendCheckpointChunk), withEpoch(decodeCheckpointChunk)},
	message.TypeStartEpoch:       {encoder(appendStartEpoch), withEpoch(decodeStartEpoch)},
	message.TypeEpochStarted:     {encoder(appendEpochStarted), withEpoch(decodeEpochStarted)},
	message.TypeGetLog:           {encoder(appendGetLog), withEpoch(decodeGetLog)},
	message.TypeLogChunk:         {encoder(appendLogChunk), withEpoch(decodeLogChunk)},
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
		// Every body starts with the sender's epoch (version 2).
		out, err := f(le.AppendUint64(dst, message.EpochOf(v)), v)
		if err != nil {
			return dst, err
		}
		return out, nil
	}
}

// withEpoch turns d, the decoder of a body's own fields, into a codec's
// decode: every body starts with the sender's epoch (version 2).
func withEpoch(d func(c cursor) (message.Message, error)) func(c cursor) (message.Message, error) {
	return func(c cursor) (message.Message, error) {
		epoch := c.u64("epoch")
		if c.err != nil {
			return nil, c.err
		}
		m, err := d(c)
		if err == nil {
			message.SetEpoch(m, epoch)
		}
		return m, err
	}
}
