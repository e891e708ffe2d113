package wire

import (
	"errors"
	"hash/crc32"
	"math"
	"testing"

	"github.com/vr-go/vr/message"
)

// sample is a named valid message.
type sample struct {
	name string
	m    message.Message
}

// pattern returns n bytes that differ from position to position, nil if
// n is 0.
func pattern(n int, seed byte) []byte {
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// run returns n consecutive entries from op first, with varied fields; the
// kinds cycle through every valid RequestKind.
func run(first uint64, n, payload int) []message.Entry {
	es := make([]message.Entry, n)
	for i := range es {
		es[i] = message.Entry{
			Op:         first + uint64(i),
			View:       3,
			ClientID:   0xC0FFEE + uint64(i%3),
			RequestNum: 100 + uint64(i),
			Session:    uint64(i % 2),
			Kind:       message.RequestKind(i % 4),
			Payload:    pattern(payload+i%5, byte(i)),
		}
	}
	return es
}

const (
	max64 = math.MaxUint64
	max32 = math.MaxUint32
)

// samples returns valid messages of every type with representative and edge
// values. Empty slices are nil, so decoded copies compare equal.
func samples() []sample {
	return []sample{
		{"request", &message.Request{ClientID: 42, RequestNum: 7, Session: 5, Kind: message.KindApp, View: 3, Payload: []byte("put k v")}},
		{"request-register-empty", &message.Request{ClientID: max64, RequestNum: max64, Kind: message.KindRegister, View: max64}},
		{"request-zero", &message.Request{}},
		{"reply", &message.Reply{View: 9, ClientID: 42, RequestNum: 7, Replica: 2, Status: message.StatusOK, Result: []byte("ok")}},
		{"reply-evicted", &message.Reply{View: max64, ClientID: max64, RequestNum: max64, Replica: 254, Status: message.StatusSessionEvicted}},
		{"reply-rejected", &message.Reply{Replica: 255, Status: message.StatusRejected, Result: pattern(1000, 1)}},
		{"prepare-1", &message.Prepare{View: 3, Commit: 10, Sent: 5000, LogBase: 8, Entries: run(11, 1, 256)}},
		{"prepare-batch", &message.Prepare{View: 3, Commit: 10, Sent: 0x0102030405060708, Entries: run(11, 8, 0)}},
		{"prepare-max-op", &message.Prepare{View: max64, Commit: max64, Sent: max64, LogBase: max64, Entries: run(max64-2, 3, 1)}},
		{"prepare-ok", &message.PrepareOK{View: 3, Op: 12, Replica: 1, Echo: 5000}},
		{"prepare-ok-max", &message.PrepareOK{View: max64, Op: max64, Replica: 255, Echo: max64}},
		{"commit", &message.Commit{View: 3, Commit: 12, Sent: 5001, LogBase: 9}},
		{"commit-zero", &message.Commit{}},
		{"start-view-change", &message.StartViewChange{View: 4, Replica: 2, PromisedView: 3}},
		{"do-view-change", &message.DoViewChange{View: 4, LastNormalView: 3, Op: 5, Commit: 4, Replica: 1, Log: run(1, 5, 3)}},
		{"do-view-change-empty", &message.DoViewChange{View: 4, LastNormalView: 0, Op: 0, Commit: 0, Replica: 0}},
		{"start-view", &message.StartView{View: 4, Op: 5, Commit: 4, Log: run(1, 5, 2)}},
		{"start-view-empty", &message.StartView{View: max64, Op: 77, Commit: 7}},
		{"recovery", &message.Recovery{Replica: 2, Nonce: 0xDEADBEEFCAFEF00D, NewCluster: true}},
		{"recovery-response-primary", &message.RecoveryResponse{View: 4, Nonce: 99, Op: 3, Commit: 2, Replica: 0, AnnouncedView: 5, Normal: true, Log: run(1, 3, 4)}},
		{"recovery-response-backup", &message.RecoveryResponse{View: 4, Nonce: 99, Replica: 2, AnnouncedView: 4, LostState: true}},
		{"get-state", &message.GetState{View: 4, Op: 17, Replica: 2}},
		{"new-state", &message.NewState{View: 4, Op: 20, Commit: 19, Replica: 0, From: 17, Entries: run(18, 3, 9)}},
		{"new-state-empty", &message.NewState{View: 4, Op: 20, Commit: 20, Replica: 1}},
		{"get-checkpoint-newest", &message.GetCheckpoint{Replica: 2, MinOp: 100, MaxOp: 250}},
		{"get-checkpoint-resume", &message.GetCheckpoint{Replica: 1, MinOp: 100, MaxOp: 250, Op: 200, Offset: 1 << 20}},
		{"get-checkpoint-after", &message.GetCheckpoint{Replica: 1, MinOp: 100, MaxOp: 250, After: 80}},
		{"get-checkpoint-max", &message.GetCheckpoint{Replica: 255, MinOp: max64, MaxOp: max64, Op: max64, Offset: max64, After: max64}},
		{"checkpoint-chunk", &message.CheckpointChunk{Replica: 0, Op: 200, Size: 5000, Offset: 1000, Checksum: crc32.Checksum(pattern(1000, 3), castagnoli), Data: pattern(1000, 3)}},
		{"checkpoint-chunk-last", &message.CheckpointChunk{Replica: 254, Op: max64, Size: max64, Offset: max64 - 7, After: max64, Checksum: max32, Data: pattern(7, 9)}},
		{"checkpoint-chunk-empty", &message.CheckpointChunk{Replica: 3, Op: 200, Size: 5000, Offset: 5000}},
		{"checkpoint-chunk-zero", &message.CheckpointChunk{}},
		// Appended last so the seed files of the samples above keep their
		// frame's cluster and sender.
		{"request-read", &message.Request{ClientID: 42, RequestNum: 8, Session: max64, Kind: message.KindRead, View: 3, Payload: []byte("get k")}},
		{"request-stale-read", &message.Request{ClientID: 43, RequestNum: 1, Kind: message.KindStaleRead, View: 2, Payload: []byte("get k")}},
		{"start-epoch", &message.StartEpoch{Epoch: 3, Replica: 4, Op: 77, OpView: 3, NextID: 9,
			Members: []message.Member{{ID: 0, Role: 1}, {ID: 5, Role: 1}, {ID: 8, Role: 2}},
			Prev:    []message.Member{{ID: 0, Role: 1}, {ID: 1, Role: 1}, {ID: 2, Role: 1}}}},
		{"start-epoch-empty", &message.StartEpoch{}},
		{"epoch-started", &message.EpochStarted{Epoch: max64, Replica: 254}},
		{"reply-refused", &message.Reply{Epoch: 2, View: 1, ClientID: 9, RequestNum: 4, Replica: 3, Status: message.StatusRefused,
			Result: []byte{byte(message.RefuseStaleEpoch), 2, 0, 0, 0, 0, 0, 0, 0}}},
		{"request-reconfigure", &message.Request{Epoch: 1, ClientID: 9, RequestNum: 4, Kind: message.KindReconfigure,
			Payload: message.Reconfiguration{Epoch: 1, Members: []message.Member{{ID: 0, Role: 1}, {ID: 3, Role: 1}, {ID: 4, Role: 2}}}.Encode()}},
		{"prepare-epoch", &message.Prepare{Epoch: 7, View: 0, Commit: 40, LogBase: 40, Entries: run(41, 2, 3)}},
		{"start-epoch-addrs", &message.StartEpoch{Epoch: 2, Replica: 5, Op: 90, OpView: 1, NextID: 6,
			Members: []message.Member{{ID: 0, Role: 1, Addr: "10.0.0.1:8000"}, {ID: 5, Role: 1, Addr: "10.0.0.6:8000"}, {ID: 2, Role: 1, Addr: "10.0.0.3:8000"}},
			Prev:    []message.Member{{ID: 0, Role: 1, Addr: "10.0.0.1:8000"}, {ID: 1, Role: 1}, {ID: 2, Role: 1, Addr: "10.0.0.3:8000"}}}},
		{"request-reconfigure-addrs", &message.Request{Epoch: 1, ClientID: 9, RequestNum: 5, Kind: message.KindReconfigure,
			Payload: message.Reconfiguration{Epoch: 1, Members: []message.Member{{ID: 0, Role: 1, Addr: "h0:1"}, {ID: 3, Role: 1, Addr: "h3:1"}, {ID: 4, Role: 2, Addr: "h4:1"}}}.Encode()}},
		{"request-config", &message.Request{ClientID: 10, RequestNum: 1, Kind: message.KindConfig}},
		{"get-log", &message.GetLog{Replica: 2, Op: 17, MaxBytes: 1 << 20}},
		{"log-chunk", &message.LogChunk{Replica: 0, From: 17, Entries: run(18, 3, 9)}},
		{"log-chunk-empty", &message.LogChunk{Replica: 1, From: 40}},
	}
}

// normalize replaces every empty slice in m by nil, in place, and returns m:
// the form in which decoded messages come back.
func normalize(m message.Message) message.Message {
	switch v := m.(type) {
	case *message.Request:
		v.Payload = nilIfEmpty(v.Payload)
	case *message.Reply:
		v.Result = nilIfEmpty(v.Result)
	case *message.Prepare:
		v.Entries = normalizeEntries(v.Entries)
	case *message.DoViewChange:
		v.Log = normalizeEntries(v.Log)
	case *message.StartView:
		v.Log = normalizeEntries(v.Log)
	case *message.RecoveryResponse:
		v.Log = normalizeEntries(v.Log)
	case *message.NewState:
		v.Entries = normalizeEntries(v.Entries)
	case *message.LogChunk:
		v.Entries = normalizeEntries(v.Entries)
	case *message.CheckpointChunk:
		v.Data = nilIfEmpty(v.Data)
	}
	return m
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func normalizeEntries(es []message.Entry) []message.Entry {
	if len(es) == 0 {
		return nil
	}
	for i := range es {
		es[i].Payload = nilIfEmpty(es[i].Payload)
	}
	return es
}

// mustBody encodes m or fails the test.
func mustBody(t testing.TB, m message.Message) []byte {
	t.Helper()
	b, err := AppendMessage(nil, m)
	if err != nil {
		t.Fatalf("AppendMessage(%T): %v", m, err)
	}
	return b
}

// mustFrame frames m or fails the test.
func mustFrame(t testing.TB, cluster uint64, sender uint8, m message.Message) []byte {
	t.Helper()
	b, err := AppendFrame(nil, cluster, sender, m)
	if err != nil {
		t.Fatalf("AppendFrame(%T): %v", m, err)
	}
	return b
}

// isErr is errors.Is, spelled short for tables.
func isErr(err, target error) bool { return errors.Is(err, target) }
