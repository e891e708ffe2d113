package message

import "log/slog"

// specs is the table of message types: one entry per type, indexed by Type.
// A new message type needs its struct and Type method (message.go), a
// constant, and an entry here; package wire needs its encoder and decoder.
// The tests fail until every constant has both.
//
// Recovery, RecoveryResponse, GetState and GetCheckpoint fingerprint as 0:
// the simulator's trace hash never included their fields, and including
// them would change every trace hash recorded so far.
var specs = index(
	define(def[*Request]{
		epoch: func(m *Request) *uint64 { return &m.Epoch },
		route: ClientToReplica,
		attrs: func(a []slog.Attr, m *Request) []slog.Attr {
			return append(a, u64("client", m.ClientID), u64("request", m.RequestNum), slog.Int("kind", int(m.Kind)))
		},
		key:  func(m *Request) uint64 { return m.ClientID<<32 ^ m.RequestNum },
		size: func(m *Request) int { return 41 + bytesOverhead + len(m.Payload) },
	}),
	define(def[*Reply]{
		epoch:  func(m *Reply) *uint64 { return &m.Epoch },
		route:  ReplicaToClient,
		sender: func(m *Reply) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *Reply) []slog.Attr {
			return append(a, u64("view", m.View), u64("client", m.ClientID), u64("request", m.RequestNum), slog.Int("status", int(m.Status)))
		},
		key: func(m *Reply) uint64 {
			return m.View<<40 ^ m.ClientID<<32 ^ m.RequestNum ^ uint64(m.Status)<<60
		},
		size: func(m *Reply) int { return 34 + bytesOverhead + len(m.Result) },
	}),
	define(def[*Prepare]{
		epoch: func(m *Prepare) *uint64 { return &m.Epoch },
		route: ReplicaToReplica,
		attrs: func(a []slog.Attr, m *Prepare) []slog.Attr {
			a = append(a, u64("view", m.View))
			if n := len(m.Entries); n > 0 {
				a = append(a, u64("op", m.Entries[n-1].Op))
			}
			return append(a, slog.Int("entries", len(m.Entries)), u64("commit", m.Commit))
		},
		bulky: func(m *Prepare) bool { return len(m.Entries) > 0 },
		key:   func(m *Prepare) uint64 { return m.View<<40 ^ m.Commit<<20 ^ uint64(len(m.Entries)) },
		size:  func(m *Prepare) int { return 40 + EntriesSize(m.Entries) },
	}),
	define(def[*PrepareOK]{
		epoch:  func(m *PrepareOK) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *PrepareOK) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *PrepareOK) []slog.Attr {
			return append(a, u64("view", m.View), u64("op", m.Op))
		},
		key:  func(m *PrepareOK) uint64 { return m.View<<40 ^ m.Op },
		size: func(*PrepareOK) int { return 41 },
	}),
	define(def[*Commit]{
		epoch: func(m *Commit) *uint64 { return &m.Epoch },
		route: ReplicaToReplica,
		attrs: func(a []slog.Attr, m *Commit) []slog.Attr {
			return append(a, u64("view", m.View), u64("commit", m.Commit))
		},
		key:  func(m *Commit) uint64 { return m.View<<40 ^ m.Commit },
		size: func(*Commit) int { return 40 },
	}),
	define(def[*StartViewChange]{
		epoch:  func(m *StartViewChange) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *StartViewChange) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *StartViewChange) []slog.Attr {
			return append(a, u64("view", m.View))
		},
		key:  func(m *StartViewChange) uint64 { return m.View },
		size: func(*StartViewChange) int { return 25 },
	}),
	define(def[*DoViewChange]{
		epoch:  func(m *DoViewChange) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *DoViewChange) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *DoViewChange) []slog.Attr {
			return append(a, u64("view", m.View), u64("last_normal_view", m.LastNormalView), u64("op", m.Op), u64("commit", m.Commit))
		},
		bulky: func(m *DoViewChange) bool { return len(m.Log) > 0 },
		key:   func(m *DoViewChange) uint64 { return m.View<<40 ^ m.LastNormalView<<32 ^ m.Op },
		size:  func(m *DoViewChange) int { return 41 + EntriesSize(m.Log) },
	}),
	define(def[*StartView]{
		epoch: func(m *StartView) *uint64 { return &m.Epoch },
		route: ReplicaToReplica,
		attrs: func(a []slog.Attr, m *StartView) []slog.Attr {
			return append(a, u64("view", m.View), u64("op", m.Op), u64("commit", m.Commit))
		},
		bulky: func(m *StartView) bool { return len(m.Log) > 0 },
		key:   func(m *StartView) uint64 { return m.View<<40 ^ m.Op },
		size:  func(m *StartView) int { return 32 + EntriesSize(m.Log) },
	}),
	define(def[*Recovery]{
		epoch:  func(m *Recovery) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *Recovery) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *Recovery) []slog.Attr {
			return append(a, u64("nonce", m.Nonce), slog.Bool("new_cluster", m.NewCluster))
		},
		key:  func(*Recovery) uint64 { return 0 },
		size: func(*Recovery) int { return 18 },
	}),
	define(def[*RecoveryResponse]{
		epoch:  func(m *RecoveryResponse) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *RecoveryResponse) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *RecoveryResponse) []slog.Attr {
			return append(a, u64("view", m.View), u64("op", m.Op), u64("commit", m.Commit), slog.Int("log", len(m.Log)))
		},
		bulky: func(m *RecoveryResponse) bool { return len(m.Log) > 0 },
		key:   func(*RecoveryResponse) uint64 { return 0 },
		size:  func(m *RecoveryResponse) int { return 52 + EntriesSize(m.Log) },
	}),
	define(def[*GetState]{
		epoch:  func(m *GetState) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *GetState) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *GetState) []slog.Attr {
			return append(a, u64("view", m.View), u64("op", m.Op))
		},
		key:  func(*GetState) uint64 { return 0 },
		size: func(*GetState) int { return 25 },
	}),
	define(def[*NewState]{
		epoch:  func(m *NewState) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *NewState) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *NewState) []slog.Attr {
			return append(a, u64("view", m.View), u64("op", m.Op), slog.Int("entries", len(m.Entries)))
		},
		bulky: func(m *NewState) bool { return len(m.Entries) > 0 },
		key:   func(m *NewState) uint64 { return m.View<<40 ^ m.Op },
		size:  func(m *NewState) int { return 41 + EntriesSize(m.Entries) },
	}),
	define(def[*GetCheckpoint]{
		epoch:  func(m *GetCheckpoint) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *GetCheckpoint) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *GetCheckpoint) []slog.Attr {
			return append(a, u64("min_op", m.MinOp), u64("max_op", m.MaxOp), u64("op", m.Op), u64("offset", m.Offset), u64("after", m.After))
		},
		key:  func(*GetCheckpoint) uint64 { return 0 },
		size: func(*GetCheckpoint) int { return 49 },
	}),
	define(def[*CheckpointChunk]{
		epoch:  func(m *CheckpointChunk) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *CheckpointChunk) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *CheckpointChunk) []slog.Attr {
			return append(a, u64("op", m.Op), u64("size", m.Size), u64("offset", m.Offset), u64("after", m.After), slog.Int("bytes", len(m.Data)))
		},
		bulky: func(m *CheckpointChunk) bool { return len(m.Data) > 0 },
		key:   func(m *CheckpointChunk) uint64 { return m.Op<<24 ^ m.Offset ^ m.After<<48 },
		size:  func(m *CheckpointChunk) int { return 45 + bytesOverhead + len(m.Data) },
	}),
	define(def[*StartEpoch]{
		epoch:  func(m *StartEpoch) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *StartEpoch) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *StartEpoch) []slog.Attr {
			return append(a, u64("epoch", m.Epoch), u64("op", m.Op), slog.Int("members", len(m.Members)))
		},
		bulky: func(m *StartEpoch) bool { return len(m.Members)+len(m.Prev) > 0 },
		key:   func(m *StartEpoch) uint64 { return m.Epoch<<40 ^ m.Op },
		size:  func(m *StartEpoch) int { return 30 + 2*len(m.Members) + 2*len(m.Prev) + AddrsSize(m.Members, m.Prev) },
	}),
	define(def[*EpochStarted]{
		epoch:  func(m *EpochStarted) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *EpochStarted) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *EpochStarted) []slog.Attr {
			return append(a, u64("epoch", m.Epoch))
		},
		key:  func(m *EpochStarted) uint64 { return m.Epoch },
		size: func(*EpochStarted) int { return 9 },
	}),
	define(def[*GetLog]{
		epoch:  func(m *GetLog) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *GetLog) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *GetLog) []slog.Attr {
			return append(a, u64("op", m.Op), u64("max_bytes", m.MaxBytes))
		},
		key:  func(m *GetLog) uint64 { return m.Op },
		size: func(*GetLog) int { return 25 },
	}),
	define(def[*LogChunk]{
		epoch:  func(m *LogChunk) *uint64 { return &m.Epoch },
		route:  ReplicaToReplica,
		sender: func(m *LogChunk) uint8 { return m.Replica },
		attrs: func(a []slog.Attr, m *LogChunk) []slog.Attr {
			return append(a, u64("from", m.From), slog.Int("entries", len(m.Entries)))
		},
		bulky: func(m *LogChunk) bool { return len(m.Entries) > 0 },
		key:   func(m *LogChunk) uint64 { return m.From<<20 ^ uint64(len(m.Entries)) },
		size:  func(m *LogChunk) int { return 17 + EntriesSize(m.Entries) },
	}),
)

// u64 is slog.Uint64, spelled short for the table.
func u64(key string, v uint64) slog.Attr { return slog.Uint64(key, v) }
