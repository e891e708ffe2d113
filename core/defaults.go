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
)
