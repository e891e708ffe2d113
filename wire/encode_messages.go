package wire

import "github.com/vr-go/vr/message"

// One encoder per message type. Fields are written in declaration order.

func appendRequest(dst []byte, m *message.Request) ([]byte, error) {
	if err := checkKind(m.Kind); err != nil {
		return dst, err
	}
	if err := checkLen(len(m.Payload), "payload"); err != nil {
		return dst, err
	}
	dst = le.AppendUint64(dst, m.ClientID)
	dst = le.AppendUint64(dst, m.RequestNum)
	dst = le.AppendUint64(dst, m.Session)
	dst = append(dst, uint8(m.Kind))
	dst = le.AppendUint64(dst, m.View)
	return appendBytes(dst, m.Payload), nil
}

func appendReply(dst []byte, m *message.Reply) ([]byte, error) {
	if err := checkStatus(m.Status); err != nil {
		return dst, err
	}
	if err := checkLen(len(m.Result), "result"); err != nil {
		return dst, err
	}
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.ClientID)
	dst = le.AppendUint64(dst, m.RequestNum)
	dst = append(dst, m.Replica, uint8(m.Status))
	return appendBytes(dst, m.Result), nil
}

func appendPrepare(dst []byte, m *message.Prepare) ([]byte, error) {
	if len(m.Entries) == 0 {
		return dst, errEmptyPrepare
	}
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Commit)
	dst = le.AppendUint64(dst, m.Sent)
	dst = le.AppendUint64(dst, m.LogBase)
	return appendEntries(dst, m.Entries)
}

func appendPrepareOK(dst []byte, m *message.PrepareOK) ([]byte, error) {
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Op)
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.Echo)
	return le.AppendUint64(dst, m.Saved), nil
}

func appendCommit(dst []byte, m *message.Commit) ([]byte, error) {
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Commit)
	dst = le.AppendUint64(dst, m.Sent)
	return le.AppendUint64(dst, m.LogBase), nil
}

func appendStartViewChange(dst []byte, m *message.StartViewChange) ([]byte, error) {
	dst = le.AppendUint64(dst, m.View)
	dst = append(dst, m.Replica)
	return le.AppendUint64(dst, m.PromisedView), nil
}

func appendDoViewChange(dst []byte, m *message.DoViewChange) ([]byte, error) {
	if err := checkLastOp(m.Log, m.Op); err != nil {
		return dst, err
	}
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.LastNormalView)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Commit)
	dst = append(dst, m.Replica)
	return appendEntries(dst, m.Log)
}

func appendStartView(dst []byte, m *message.StartView) ([]byte, error) {
	if err := checkLastOp(m.Log, m.Op); err != nil {
		return dst, err
	}
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Commit)
	return appendEntries(dst, m.Log)
}

func appendRecovery(dst []byte, m *message.Recovery) ([]byte, error) {
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.Nonce)
	return append(dst, boolByte(m.NewCluster)), nil
}

// boolByte encodes a bool as 0 or 1; the decoder rejects anything else.
func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendRecoveryResponse(dst []byte, m *message.RecoveryResponse) ([]byte, error) {
	if err := checkLastOp(m.Log, m.Op); err != nil {
		return dst, err
	}
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Nonce)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Commit)
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.AnnouncedView)
	dst = append(dst, boolByte(m.Normal), boolByte(m.NewMember), boolByte(m.LostState))
	return appendEntries(dst, m.Log)
}

func appendGetState(dst []byte, m *message.GetState) ([]byte, error) {
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Op)
	return append(dst, m.Replica), nil
}

func appendNewState(dst []byte, m *message.NewState) ([]byte, error) {
	dst = le.AppendUint64(dst, m.View)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Commit)
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.From)
	return appendEntries(dst, m.Entries)
}

func appendGetLog(dst []byte, m *message.GetLog) ([]byte, error) {
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.Op)
	return le.AppendUint64(dst, m.MaxBytes), nil
}

func appendLogChunk(dst []byte, m *message.LogChunk) ([]byte, error) {
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.From)
	return appendEntries(dst, m.Entries)
}

func appendGetCheckpoint(dst []byte, m *message.GetCheckpoint) ([]byte, error) {
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.MinOp)
	dst = le.AppendUint64(dst, m.MaxOp)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Offset)
	return le.AppendUint64(dst, m.After), nil
}

func appendCheckpointChunk(dst []byte, m *message.CheckpointChunk) ([]byte, error) {
	if err := checkChunk(m.Offset, m.Size, len(m.Data)); err != nil {
		return dst, err
	}
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.Size)
	dst = le.AppendUint64(dst, m.Offset)
	dst = le.AppendUint64(dst, m.After)
	dst = le.AppendUint32(dst, m.Checksum)
	return appendBytes(dst, m.Data), nil
}

func appendStartEpoch(dst []byte, m *message.StartEpoch) ([]byte, error) {
	if len(m.Members) > message.MaxMembers || len(m.Prev) > message.MaxMembers {
		return dst, errTooManyMembers
	}
	dst = append(dst, m.Replica)
	dst = le.AppendUint64(dst, m.Op)
	dst = le.AppendUint64(dst, m.OpView)
	dst = le.AppendUint16(dst, m.NextID)
	if err := message.CheckAddrs(m.Members, m.Prev); err != nil {
		return dst, err
	}
	dst = appendMembers(dst, m.Members)
	dst = appendMembers(dst, m.Prev)
	has := message.HasAddrs(m.Members, m.Prev)
	dst = append(dst, boolByte(has))
	return message.AppendAddrs(dst, m.Members, m.Prev), nil
}

func appendMembers(dst []byte, ms []message.Member) []byte {
	dst = append(dst, uint8(len(ms)))
	for _, m := range ms {
		dst = append(dst, m.ID, m.Role)
	}
	return dst
}

func appendEpochStarted(dst []byte, m *message.EpochStarted) ([]byte, error) {
	return append(dst, m.Replica), nil
}
