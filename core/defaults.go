package core

// The one table of defaults. A zero field of Config takes these values;
// node.Config and the flags of `vr server` derive theirs from them (in
// wall-clock form, with node.DefaultTick per tick), so the three layers
// cannot disagree.
const (
	// DefaultHeartbeatTicks: an idle primary sends Commit every 5 ticks.
	DefaultHeartbeatTicks = 5
	// DefaultViewChangeTicks: a backup suspects its primary after 50 to 99
	// ticks of silence.
	DefaultViewChangeTicks = 50
	// DefaultRetryTicks: unanswered work is sent again every 10 ticks.
	DefaultRetryTicks = 10
	// DefaultMaxSessions bounds the client table.
	DefaultMaxSessions = 4096
	// DefaultMaxBatch bounds the entries of one Prepare or NewState.
	DefaultMaxBatch = 256
	// DefaultCheckpointChunk is the size of the pieces a checkpoint is
	// sent in (1 MiB).
	DefaultCheckpointChunk = 1 << 20
	// DefaultMaxClockDrift bounds clock drift at 10‰ (1%), far above what
	// real clocks do; read leases are safe while it holds. It cannot be
	// switched off: a replica that trusts clocks completely is not offered.
	DefaultMaxClockDrift = 10
	// DefaultMaxMessageBytes bounds every message a replica sends (32 MiB):
	// half the wire's default body limit (64 MiB), so a frame is always
	// well under what a peer accepts (wire's tests check the relation).
	DefaultMaxMessageBytes = 32 << 20
	// DefaultMaxRequestBytes bounds a client request's payload (2 MiB, the
	// wire's default payload limit); larger requests are rejected.
	DefaultMaxRequestBytes = 2 << 20
	// DefaultMaxBatchBytes bounds the entries of one Prepare (1 MiB); a
	// Prepare always carries at least one entry.
	DefaultMaxBatchBytes = 1 << 20
	// DefaultCheckpointBytes: a checkpoint is taken once 8 MiB of log were
	// executed since the last one, if the op interval has not come first.
	// With DefaultMaxMessageBytes it leaves 14 MiB of the log's bound for
	// ops not yet executed; see docs/protocol.md, "Bounded messages".
	DefaultCheckpointBytes = 8 << 20
)
