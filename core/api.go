// Package core is the Viewstamped Replication Revisited protocol as a pure,
// deterministic state machine.
//
// A Replica has no goroutines, no clock, no randomness of its own and does no
// I/O. Its inputs are messages (Step), logical time (Tick) and client
// requests (Step with a *message.Request). Its outputs are drained with
// Output: messages to send, replies for clients, and the record of what must
// be made durable before those messages leave (used by durable mode).
// Committed operations are applied to the injected StateMachine in op order.
//
// Everything random (timeout jitter, recovery nonces) comes from Config.Seed,
// so the same seed and the same inputs give the same run.
package core

import (
	"errors"
	"fmt"
	"io"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// StateMachine is the deterministic application that VR replicates: "a
// non-distributed system" in the words of the seed post. Apply must be a pure
// function of the state and the op: the same sequence of ops gives the same
// results and the same state on every replica.
type StateMachine interface {
	// Apply executes the committed operation cmd, whose op-number is
	// index, and returns its result. Indexes increase but may skip numbers
	// (ops that do not reach the state machine: session registrations,
	// duplicates), so a state machine that keeps its own durable state can
	// tell which ops it already holds.
	Apply(index uint64, cmd []byte) []byte
	// Snapshot captures the whole application state as it is now and
	// returns a handle whose WriteTo writes it later. It runs inside the
	// replica's step, at a checkpoint op, so it must be cheap: O(1) or
	// O(small), never O(state) (a copy-on-write clone, not a copy). See
	// Snapshot (the type) for what may run concurrently with what.
	Snapshot() Snapshot
	// Restore replaces the whole application state with the snapshot that
	// r yields, as some replica's Snapshot().WriteTo wrote it. It reads r
	// to its end (io.EOF). On error the state must be left unchanged.
	Restore(r io.Reader) error
}

// Status is a replica's protocol status.
type Status uint8

// The statuses of the paper.
const (
	StatusNormal Status = iota + 1
	StatusViewChange
	StatusRecovering
	// StatusTransitioning: the replica learned (StartEpoch) that it is a
	// member of a later epoch and is fetching the state at that epoch's
	// first op; it takes part in nothing else (reconfig.go).
	StatusTransitioning
	// StatusRetired: the replica is not a member of its epoch's
	// configuration. It serves its checkpoints to the new members until
	// f'+1 of them started (Output.Retire), and then may shut down.
	StatusRetired
)

func (s Status) String() string {
	switch s {
	case StatusNormal:
		return "normal"
	case StatusViewChange:
		return "view-change"
	case StatusRecovering:
		return "recovering"
	case StatusTransitioning:
		return "transitioning"
	case StatusRetired:
		return "retired"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Config configures a Replica. Tick counts are in calls to Tick.
type Config struct {
	ReplicaCount int // the members: 2f+1 voters, and any standbys; shorthand for a Membership of 2f+1 voters
	Index        int // this replica's index in the configuration
	// Membership is the configuration as data; when it has no members it
	// is NewMembership(ReplicaCount).
	Membership Membership
	Seed       uint64

	// HeartbeatTicks is how often an idle primary sends Commit.
	HeartbeatTicks int
	// ViewChangeTicks is the base timeout before a backup suspects the
	// primary; the real timeout is jittered in [base, 2*base).
	ViewChangeTicks int
	// RetryTicks is how often unanswered work (Prepares, GetState,
	// view-change and recovery messages) is sent again.
	RetryTicks int
	// MaxSessions bounds the client table. Evicting is deterministic.
	MaxSessions int
	// MaxBatch bounds how many entries one Prepare or NewState carries.
	MaxBatch int
	// CheckpointInterval is how many ops lie between checkpoints: the
	// replica checkpoints after executing every op that is a multiple of
	// it, and then drops its log up to the checkpoint before. 0 never
	// checkpoints: the log grows without bound.
	CheckpointInterval uint64
	// CheckpointBytes triggers checkpoints by bytes: the replica also
	// checkpoints once the entries it executed since its last checkpoint
	// reach this many bytes (encoded size), whichever of the two triggers
	// comes first. The count is a function of the committed log, so every
	// replica checkpoints at the same ops. It cannot be switched off: the
	// log is bounded by bytes (see MaxMessageBytes).
	CheckpointBytes int
	// CheckpointChunk is the size of the pieces a checkpoint is sent in.
	CheckpointChunk int
	// MaxMessageBytes bounds the encoded size of every message the
	// replica sends; building a larger one is a bug and panics. The log
	// held in memory is bounded so that the whole of it fits in one
	// message: appends wait for room (see docs/protocol.md).
	MaxMessageBytes int
	// MaxRequestBytes bounds a client request's payload; a larger request
	// is answered StatusRejected.
	MaxRequestBytes int
	// MaxBatchBytes bounds the entries of one Prepare, in bytes.
	MaxBatchBytes int
	// LeaseTicks is how long a backup's read-lease promise lasts on its
	// own clock (default ViewChangeTicks); see lease.go. A backup sends
	// no DoViewChange while its promise to an earlier primary runs, so it
	// also bounds how soon a view change can replace a primary that
	// crashed: with the transport's hint that its connections closed
	// (PeerLost), the new view forms about a lease after the last
	// Prepare, not a view-change timeout after it (node's default is half
	// the timeout).
	LeaseTicks int
	// MaxClockDrift bounds, in parts per thousand, how far any replica's
	// tick rate may stray from real time (0: DefaultMaxClockDrift). Read
	// leases are safe only while it holds.
	MaxClockDrift int

	// Recovering starts the replica in the recovering status: it lost its
	// state and must run the recovery protocol before it takes part.
	Recovering bool
	// NewCluster starts a replica of a brand-new cluster. It takes part
	// only once every other replica reports that it is new too (view 0, no
	// ops); if any reports otherwise, it falls back to the recovery
	// protocol. A diskless replica restarted with NewCluster by mistake
	// therefore still recovers instead of forgetting its promises.
	NewCluster bool
	// DurableAcks makes the primary count its own copy of an entry towards
	// the commit quorum only once the driver reports, with Persisted, that
	// the Output that carried it is durable. The driver may then send
	// Prepares before its own write completes (they promise nothing), so
	// the primary's write overlaps the backups' writes. Without it the
	// primary counts its copy at once (diskless mode).
	DurableAcks bool
	// Join starts a replica that is a member of no configuration yet, with
	// the id JoinID (never used before in the cluster: see
	// Membership.NextID). It waits for a StartEpoch naming it, fetches the
	// state at the new epoch's first op and then takes part. Membership,
	// ReplicaCount and Index are ignored.
	Join   bool
	JoinID uint8
	// JoinPeers are the ids a joiner asks, every RetryTicks, to tell it
	// their epoch (the replicas it knows of; any one member suffices).
	JoinPeers []uint8
	// FetchLog makes a backup whose log ends below its state source's log
	// base ask the source for the committed entries its driver retains
	// (message.GetLog) before it jumps to that base and fetches a
	// checkpoint (logfetch.go). Set it when the drivers retain a log
	// (driver.Config.RetainLogBytes).
	FetchLog bool
	// Restart, when set, restarts a replica from what durable mode made
	// durable before every message it sent. Such a replica never forgot a
	// promise, so it rejoins without the recovery protocol; see restart.go.
	Restart *Durable

	// bugs are planted protocol bugs (see Plant); never set in production.
	bugs plant.Bugs
}

// Plant plants deliberate protocol bugs, to show that the simulator's and
// the tests' checks can fail. Only packages of this module can name
// plant.Bugs, and a test keeps production packages from importing it.
func (c *Config) Plant(b plant.Bugs) { c.bugs = b }

// Defaults fills zero fields with sensible values.
func (c Config) Defaults() Config {
	switch {
	case c.Membership.Size() == 0 && c.ReplicaCount > 0:
		c.Membership = NewMembership(c.ReplicaCount)
	case c.ReplicaCount == 0:
		c.ReplicaCount = c.Membership.Size()
	}
	setDefault(&c.HeartbeatTicks, DefaultHeartbeatTicks)
	setDefault(&c.ViewChangeTicks, DefaultViewChangeTicks)
	setDefault(&c.RetryTicks, DefaultRetryTicks)
	setDefault(&c.MaxSessions, DefaultMaxSessions)
	setDefault(&c.MaxBatch, DefaultMaxBatch)
	setDefault(&c.CheckpointChunk, DefaultCheckpointChunk)
	setDefault(&c.CheckpointBytes, DefaultCheckpointBytes)
	setDefault(&c.MaxMessageBytes, DefaultMaxMessageBytes)
	setDefault(&c.MaxRequestBytes, DefaultMaxRequestBytes)
	setDefault(&c.MaxBatchBytes, DefaultMaxBatchBytes)
	setDefault(&c.LeaseTicks, c.ViewChangeTicks)
	setDefault(&c.MaxClockDrift, DefaultMaxClockDrift)
	return c
}

func setDefault(field *int, def int) {
	if *field == 0 {
		*field = def
	}
}

// MaxCheckpointChunk bounds Config.CheckpointChunk; it equals the wire
// format's limit on a chunk (wire.MaxChunk).
const MaxCheckpointChunk = 8 << 20

// ErrBadConfig is returned (wrapped) for an invalid Config.
var ErrBadConfig = errors.New("core: bad config")

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Join {
		return c.validateJoin()
	}
	switch {
	case c.ReplicaCount < 1 || (c.ReplicaCount%2 == 0 && len(c.Membership.Standbys()) == 0):
		return fmt.Errorf("%w: replica count %d is not 2f+1", ErrBadConfig, c.ReplicaCount)
	case c.ReplicaCount > 255:
		return fmt.Errorf("%w: replica count %d exceeds 255", ErrBadConfig, c.ReplicaCount)
	case c.Membership.Size() != c.ReplicaCount:
		return fmt.Errorf("%w: membership of %d members for replica count %d", ErrBadConfig, c.Membership.Size(), c.ReplicaCount)
	case c.Index < 0 || c.Index >= c.ReplicaCount:
		return fmt.Errorf("%w: index %d out of range [0,%d)", ErrBadConfig, c.Index, c.ReplicaCount)
	case c.HeartbeatTicks < 1 || c.ViewChangeTicks <= c.HeartbeatTicks || c.RetryTicks < 1:
		return fmt.Errorf("%w: need 1 <= heartbeat < view-change timeout and retry >= 1", ErrBadConfig)
	case c.MaxSessions < 1 || c.MaxBatch < 1 || c.CheckpointChunk < 1:
		return fmt.Errorf("%w: max sessions, max batch and checkpoint chunk must be positive", ErrBadConfig)
	case c.LeaseTicks < 1 || c.MaxClockDrift < 0 || c.MaxClockDrift >= 1000:
		return fmt.Errorf("%w: lease ticks %d must be positive and clock drift %d‰ in [0,1000)", ErrBadConfig, c.LeaseTicks, c.MaxClockDrift)
	case c.CheckpointChunk > MaxCheckpointChunk:
		return fmt.Errorf("%w: checkpoint chunk %d above %d", ErrBadConfig, c.CheckpointChunk, MaxCheckpointChunk)
	}
	if err := c.validateBytes(); err != nil {
		return err
	}
	return c.Membership.validate()
}

// Envelope is a message addressed to a replica.
type Envelope struct {
	To  int
	Msg message.Message
}

// Applied records one operation executed by the state machine, or (with
// Restored) the state machine's restore from a checkpoint at Entry.Op, after
// which execution continues at Entry.Op+1.
type Applied struct {
	Entry    message.Entry
	Status   message.ReplyStatus
	Result   []byte
	Restored bool
}

// Output is everything a replica produced since the last call to Output.
type Output struct {
	// Messages to send to other replicas.
	Messages []Envelope
	// Replies to clients, addressed by Reply.ClientID.
	Replies []*message.Reply
	// Applied lists operations executed, in op order.
	Applied []Applied
	// LogDirtyFrom is the first op-number whose log entry was written,
	// replaced or removed since the last Output (0: none): the log from
	// LogDirtyFrom on is now exactly Entries, which may be empty when the
	// log was cut short. In durable mode these entries, and HardState,
	// must be made durable before Messages leave.
	LogDirtyFrom uint64
	// Entries are the log entries from LogDirtyFrom to the end of the log
	// (nil when LogDirtyFrom is 0). They replace whatever the log held from
	// LogDirtyFrom on. The slice is never written again by the replica.
	Entries []message.Entry
	// LogReset reports that the log was replaced whole: it now starts at
	// LogDirtyFrom, and every op below LogDirtyFrom is committed and left
	// the log (the replica takes or fetches a checkpoint for them).
	LogReset bool
	// LogBase is the op below the replica's first log entry: ops at or
	// below it are covered by a checkpoint (possibly one still being
	// fetched). Once a checkpoint at or above LogBase is durable, durable
	// mode may drop its log up to LogBase. A witness takes no checkpoint:
	// its LogBase follows the primary's (witness.go), and durable mode
	// drops its log up to LogBase at once.
	LogBase uint64
	// Checkpoint, if not nil, is a checkpoint the replica took or
	// installed since the last Output. It holds no bytes: the driver
	// writes it (Checkpoint.WriteTo) off the replica's step once the rest
	// of the Output is durable, keeps it to serve to peers, and reports
	// Replica.CheckpointSaved. It is never changed after.
	Checkpoint *Checkpoint
	// HardState is the replica's durable protocol state.
	HardState HardState
	// Seq numbers Outputs from 1; Persisted takes it back.
	Seq uint64
	// FetchChunks are the chunks of a checkpoint being fetched that the
	// replica accepted, in order: the driver stores each at its Offset
	// (one at Offset 0 starts a new fetch, dropping any earlier one's
	// bytes), to assemble the checkpoint for Install. They are never
	// changed after.
	FetchChunks []*message.CheckpointChunk
	// Install, if not nil, asks the driver to install the fetched
	// checkpoint off the replica's step (Install.Run) and to report it
	// with Replica.Installed; until then the replica does not touch its
	// state machine (install.go).
	Install *Install
	// Retire reports, once, that this replica left the configuration and
	// f'+1 members of the new one hold the state: it may shut down.
	Retire bool
}

// HardState is the part of a replica's state that durable mode persists.
type HardState struct {
	View           uint64
	LastNormalView uint64
	PromisedView   uint64 // highest view of a DoViewChange sent or normal view
	// AnnouncedView is the highest view the replica ever moved to, even if
	// it went back to a lower one since (see Recovery in docs/protocol.md).
	AnnouncedView uint64
	Commit        uint64
	// Epoch is the replica's epoch; the rest describe it, and are empty
	// in epoch 0 (the configuration the replica was started with):
	// EpochOp is the op of the RECONFIGURATION that began it, NextID the
	// lowest id never used, Members its configuration and Prev the one
	// before. A replica moves to a new epoch only by executing the
	// RECONFIGURATION or installing the checkpoint taken at it.
	Epoch       uint64
	EpochOp     uint64
	EpochOpView uint64 // the view of EpochOp's entry plus one (0: unknown)
	NextID      uint16
	Members     []message.Member
	Prev        []message.Member
}

// Info is a snapshot of a replica's protocol state, for status pages and
// checks.
type Info struct {
	Index          int
	View           uint64
	LastNormalView uint64
	PromisedView   uint64 // highest view of a DoViewChange sent or of a normal view
	Status         Status
	Op             uint64
	Commit         uint64
	Executed       uint64
	Primary        int    // the primary of View
	LogBase        uint64 // ops at or below it left the log
	CheckpointOp   uint64 // op of the newest checkpoint taken or installed (0: none)
	SavedOp        uint64 // op of the newest checkpoint the driver saved (0: none)
	LeaseReads     uint64 // reads this replica answered under a read lease
	Epoch          uint64 // the epoch of the replica's configuration
	EpochOp        uint64 // the op of the RECONFIGURATION that began Epoch (0: the first epoch)
	EpochEntryView uint64 // the view this replica entered Epoch in (every epoch starts at view 0)
	Role           Role   // the replica's role: full, witness or standby (0 when not a member)
	ID             uint8  // the replica's stable id
	Members        Membership
	// Transitioning: the primary holds a RECONFIGURATION it has not
	// executed, and accepts no client request.
	Transitioning bool
	// Started counts the members of Epoch known to hold its first state
	// (EpochStarted); a leaving replica may shut down at f'+1.
	Started  int
	Counters Counters
	LogBytes int // encoded size of the log's entries (bounded: see MaxMessageBytes)
	// Acked is, at a normal primary, the highest op each member (by
	// index) acknowledged in this view, standbys included; nil elsewhere.
	// Acked is shared with the replica: read it before the next Step or
	// Tick. AckCommit is the highest commit-number the primary reached in this
	// view by counting those acknowledgements (0: none yet): f+1 voting
	// members' Acked must reach it (the simulator checks this).
	Acked     []uint64
	AckCommit uint64
}
