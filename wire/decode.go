package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// DecodeMessage decodes a body of type t under the limits lim (zero fields
// mean the defaults). It never panics. The result does not alias body.
// Empty byte slices and entry lists decode as nil.
func DecodeMessage(t message.Type, body []byte, lim Limits) (message.Message, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("%w: %v", ErrUnknownType, t)
	}
	lim = lim.orDefaults()
	if len(body) > lim.MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(body), lim.MaxBody)
	}
	c := cursor{b: body, lim: lim}
	m := decodeBody(t, &c)
	if m == nil { // a type package message knows but this package does not
		return nil, fmt.Errorf("%w: %v", ErrUnknownType, t)
	}
	if err := c.finish(); err != nil {
		return nil, fmt.Errorf("decoding %v: %w", t, err)
	}
	return m, nil
}

// decodeBody dispatches on t, which is valid. A switch rather than a table
// of functions keeps the calls direct, so the cursor stays on the stack.
//
// Each decoder reads every field through the cursor, whose error is sticky;
// the caller discards the result if the cursor failed. Go evaluates the
// calls in a composite literal left to right, so fields are read in
// declaration order.
func decodeBody(t message.Type, c *cursor) message.Message {
	switch t {
	case message.TypeRequest:
		return decodeRequest(c)
	case message.TypeReply:
		return decodeReply(c)
	case message.TypePrepare:
		return decodePrepare(c)
	case message.TypePrepareOK:
		return decodePrepareOK(c)
	case message.TypeCommit:
		return decodeCommit(c)
	case message.TypeStartViewChange:
		return decodeStartViewChange(c)
	case message.TypeDoViewChange:
		return decodeDoViewChange(c)
	case message.TypeStartView:
		return decodeStartView(c)
	case message.TypeRecovery:
		return decodeRecovery(c)
	case message.TypeRecoveryResponse:
		return decodeRecoveryResponse(c)
	case message.TypeGetState:
		return decodeGetState(c)
	case message.TypeNewState:
		return decodeNewState(c)
	case message.TypeGetCheckpoint:
		return decodeGetCheckpoint(c)
	case message.TypeCheckpointChunk:
		return decodeCheckpointChunk(c)
	}
	return nil
}

func decodeRequest(c *cursor) message.Message {
	return &message.Request{
		ClientID:   c.u64("client id"),
		RequestNum: c.u64("request number"),
		Kind:       c.kind(),
		View:       c.u64("view"),
		Payload:    owned(c.bytes("payload")),
	}
}

func decodeReply(c *cursor) message.Message {
	return &message.Reply{
		View:       c.u64("view"),
		ClientID:   c.u64("client id"),
		RequestNum: c.u64("request number"),
		Replica:    c.u8("replica"),
		Status:     c.status(),
		Result:     owned(c.bytes("result")),
	}
}

func decodePrepare(c *cursor) message.Message {
	m := &message.Prepare{View: c.u64("view"), Commit: c.u64("commit"), Sent: c.u64("sent")}
	m.Entries = c.entries()
	if c.err == nil && len(m.Entries) == 0 {
		c.fail(errEmptyPrepare)
	}
	return m
}

func decodePrepareOK(c *cursor) message.Message {
	return &message.PrepareOK{View: c.u64("view"), Op: c.u64("op"), Replica: c.u8("replica"), Echo: c.u64("echo")}
}

func decodeCommit(c *cursor) message.Message {
	return &message.Commit{View: c.u64("view"), Commit: c.u64("commit"), Sent: c.u64("sent")}
}

func decodeStartViewChange(c *cursor) message.Message {
	return &message.StartViewChange{View: c.u64("view"), Replica: c.u8("replica"), PromisedView: c.u64("promised-view")}
}

func decodeDoViewChange(c *cursor) message.Message {
	m := &message.DoViewChange{
		View:           c.u64("view"),
		LastNormalView: c.u64("last normal view"),
		Op:             c.u64("op"),
		Commit:         c.u64("commit"),
		Replica:        c.u8("replica"),
	}
	m.Log = c.entries()
	c.lastOp(m.Log, m.Op)
	return m
}

func decodeStartView(c *cursor) message.Message {
	m := &message.StartView{View: c.u64("view"), Op: c.u64("op"), Commit: c.u64("commit")}
	m.Log = c.entries()
	c.lastOp(m.Log, m.Op)
	return m
}

func decodeRecovery(c *cursor) message.Message {
	return &message.Recovery{Replica: c.u8("replica"), Nonce: c.u64("nonce"), NewCluster: c.boolean("new-cluster")}
}

func decodeRecoveryResponse(c *cursor) message.Message {
	m := &message.RecoveryResponse{
		View:          c.u64("view"),
		Nonce:         c.u64("nonce"),
		Op:            c.u64("op"),
		Commit:        c.u64("commit"),
		Replica:       c.u8("replica"),
		AnnouncedView: c.u64("announced-view"),
		Normal:        c.boolean("normal"),
		NewMember:     c.boolean("new-member"),
		LostState:     c.boolean("lost-state"),
	}
	m.Log = c.entries()
	c.lastOp(m.Log, m.Op)
	return m
}

func decodeGetState(c *cursor) message.Message {
	return &message.GetState{View: c.u64("view"), Op: c.u64("op"), Replica: c.u8("replica")}
}

func decodeNewState(c *cursor) message.Message {
	m := &message.NewState{
		View:    c.u64("view"),
		Op:      c.u64("op"),
		Commit:  c.u64("commit"),
		Replica: c.u8("replica"),
		From:    c.u64("from"),
	}
	m.Entries = c.entries()
	return m
}

func decodeGetCheckpoint(c *cursor) message.Message {
	return &message.GetCheckpoint{
		Replica: c.u8("replica"),
		MinOp:   c.u64("min op"),
		MaxOp:   c.u64("max op"),
		Op:      c.u64("op"),
		Offset:  c.u64("offset"),
	}
}

func decodeCheckpointChunk(c *cursor) message.Message {
	m := &message.CheckpointChunk{
		Replica:  c.u8("replica"),
		Op:       c.u64("op"),
		Size:     c.u64("size"),
		Offset:   c.u64("offset"),
		Checksum: c.u32("checksum"),
		Data:     owned(c.bytesUpTo("data", MaxChunk)),
	}
	if c.err == nil {
		if err := checkChunkRange(m.Offset, m.Size, len(m.Data)); err != nil {
			c.fail(err)
		}
	}
	return m
}

// lastOp records an error if log is non-empty and does not end at op.
func (c *cursor) lastOp(log []message.Entry, op uint64) {
	if c.err == nil {
		if err := checkLastOp(log, op); err != nil {
			c.fail(err)
		}
	}
}
