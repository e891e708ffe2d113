package wire

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// DecodeMessage decodes a body of type t under the limits lim (zero fields
// mean the defaults). It never panics. The result does not alias body.
// Empty byte slices and entry lists decode as nil.
func DecodeMessage(t message.Type, body []byte, lim Limits) (message.Message, error) {
	cd := codecOf(t)
	if cd == nil { // unknown to package message, or to this one
		return nil, fmt.Errorf("%w: %v", ErrUnknownType, t)
	}
	lim = lim.orDefaults()
	if len(body) > lim.MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(body), lim.MaxBody)
	}
	m, err := cd.decode(cursor{b: body, lim: lim})
	if err != nil {
		return nil, fmt.Errorf("decoding %v: %w", t, err)
	}
	return m, nil
}

// The decoders, one per message type, are listed in the codec table. Each
// takes its cursor by value, so that the cursor stays on the stack although
// the decoder is called through the table.
//
// Each decoder reads every field through the cursor, whose error is sticky,
// and returns through done, which discards the message if the cursor
// failed. Go evaluates the calls in a composite literal left to right, so
// fields are read in declaration order.

func decodeRequest(c cursor) (message.Message, error) {
	return c.done(&message.Request{
		ClientID:   c.u64("client id"),
		RequestNum: c.u64("request number"),
		Session:    c.u64("session"),
		Kind:       c.kind(),
		View:       c.u64("view"),
		Payload:    owned(c.bytes("payload")),
	})
}

func decodeReply(c cursor) (message.Message, error) {
	return c.done(&message.Reply{
		View:       c.u64("view"),
		ClientID:   c.u64("client id"),
		RequestNum: c.u64("request number"),
		Replica:    c.u8("replica"),
		Status:     c.status(),
		Result:     owned(c.bytes("result")),
	})
}

func decodePrepare(c cursor) (message.Message, error) {
	m := &message.Prepare{View: c.u64("view"), Commit: c.u64("commit"), Sent: c.u64("sent"), LogBase: c.u64("log base")}
	m.Entries = c.entries()
	if c.err == nil && len(m.Entries) == 0 {
		c.fail(errEmptyPrepare)
	}
	return c.done(m)
}

func decodePrepareOK(c cursor) (message.Message, error) {
	return c.done(&message.PrepareOK{View: c.u64("view"), Op: c.u64("op"), Replica: c.u8("replica"), Echo: c.u64("echo"), Saved: c.u64("saved")})
}

func decodeCommit(c cursor) (message.Message, error) {
	return c.done(&message.Commit{View: c.u64("view"), Commit: c.u64("commit"), Sent: c.u64("sent"), LogBase: c.u64("log base")})
}

func decodeStartViewChange(c cursor) (message.Message, error) {
	return c.done(&message.StartViewChange{View: c.u64("view"), Replica: c.u8("replica"), PromisedView: c.u64("promised-view")})
}

func decodeDoViewChange(c cursor) (message.Message, error) {
	m := &message.DoViewChange{
		View:           c.u64("view"),
		LastNormalView: c.u64("last normal view"),
		Op:             c.u64("op"),
		Commit:         c.u64("commit"),
		Replica:        c.u8("replica"),
	}
	m.Log = c.entries()
	c.lastOp(m.Log, m.Op)
	return c.done(m)
}

func decodeStartView(c cursor) (message.Message, error) {
	m := &message.StartView{View: c.u64("view"), Op: c.u64("op"), Commit: c.u64("commit")}
	m.Log = c.entries()
	c.lastOp(m.Log, m.Op)
	return c.done(m)
}

func decodeRecovery(c cursor) (message.Message, error) {
	return c.done(&message.Recovery{Replica: c.u8("replica"), Nonce: c.u64("nonce"), NewCluster: c.boolean("new-cluster")})
}

func decodeRecoveryResponse(c cursor) (message.Message, error) {
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
	return c.done(m)
}

func decodeGetState(c cursor) (message.Message, error) {
	return c.done(&message.GetState{View: c.u64("view"), Op: c.u64("op"), Replica: c.u8("replica")})
}

func decodeNewState(c cursor) (message.Message, error) {
	m := &message.NewState{
		View:    c.u64("view"),
		Op:      c.u64("op"),
		Commit:  c.u64("commit"),
		Replica: c.u8("replica"),
		From:    c.u64("from"),
	}
	m.Entries = c.entries()
	return c.done(m)
}

func decodeGetLog(c cursor) (message.Message, error) {
	return c.done(&message.GetLog{Replica: c.u8("replica"), Op: c.u64("op"), MaxBytes: c.u64("max bytes")})
}

func decodeLogChunk(c cursor) (message.Message, error) {
	m := &message.LogChunk{Replica: c.u8("replica"), From: c.u64("from")}
	m.Entries = c.entries()
	return c.done(m)
}

func decodeGetCheckpoint(c cursor) (message.Message, error) {
	return c.done(&message.GetCheckpoint{
		Replica: c.u8("replica"),
		MinOp:   c.u64("min op"),
		MaxOp:   c.u64("max op"),
		Op:      c.u64("op"),
		Offset:  c.u64("offset"),
		After:   c.u64("after"),
	})
}

func decodeCheckpointChunk(c cursor) (message.Message, error) {
	m := &message.CheckpointChunk{
		Replica:  c.u8("replica"),
		Op:       c.u64("op"),
		Size:     c.u64("size"),
		Offset:   c.u64("offset"),
		After:    c.u64("after"),
		Checksum: c.u32("checksum"),
		Data:     owned(c.bytesUpTo("data", MaxChunk)),
	}
	if c.err == nil {
		if err := checkChunkRange(m.Offset, m.Size, len(m.Data)); err != nil {
			c.fail(err)
		}
	}
	return c.done(m)
}

// done returns m, or the recorded error (ErrMalformed if bytes are left)
// and no message.
func (c *cursor) done(m message.Message) (message.Message, error) {
	if err := c.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// lastOp records an error if log is non-empty and does not end at op.
func (c *cursor) lastOp(log []message.Entry, op uint64) {
	if c.err == nil {
		if err := checkLastOp(log, op); err != nil {
			c.fail(err)
		}
	}
}

func decodeStartEpoch(c cursor) (message.Message, error) {
	m := &message.StartEpoch{Replica: c.u8("replica"), Op: c.u64("op"), OpView: c.u64("op view"), NextID: c.u16("next id")}
	m.Members = c.members()
	m.Prev = c.members()
	if c.boolean("has addresses") {
		if err := message.DecodeAddrs(c.take(max(1, len(c.b)), "addresses"), m.Members, m.Prev); err != nil {
			c.fail(fmt.Errorf("%w: %w", ErrMalformed, err))
		}
	}
	return c.done(m)
}

func decodeEpochStarted(c cursor) (message.Message, error) {
	return c.done(&message.EpochStarted{Replica: c.u8("replica")})
}

// members reads a member list: a uint8 count, then each member's id and
// role. An empty list decodes as nil.
func (c *cursor) members() []message.Member {
	n := int(c.u8("member count"))
	if c.err != nil || n == 0 {
		return nil
	}
	b := c.take(2*n, "members")
	if c.err != nil {
		return nil
	}
	ms := make([]message.Member, n)
	for i := range ms {
		ms[i] = message.Member{ID: b[2*i], Role: b[2*i+1]}
	}
	return ms
}
