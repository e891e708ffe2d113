// Package node runs a core replica for real: the wall clock drives its
// ticks, package transport carries its messages, and a kv.Store is the state
// machine. One goroutine owns the replica; nothing else touches it.
package node

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"slices"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
)

// ErrConfig is wrapped by every error New returns for an invalid Config.
var ErrConfig = errors.New("node: invalid config")

// Config configures a Node. Zero fields take defaults.
type Config struct {
	ClusterID uint64
	// Index is this replica's id: its index in Peers, and in epoch 0's
	// configuration (ids equal indexes there).
	Index int
	// Peers holds host:port by replica id: epoch 0's configuration, in
	// order; for a joiner, the members it knows ("" for other ids).
	// Addresses of members added by reconfigurations come from the
	// protocol (docs/protocol.md, "Addresses").
	Peers  []string
	Listen string // listen address; default Peers[Index]
	// Join starts a replica that is a member of no configuration yet,
	// with the id Index (never used before in the cluster): it takes part
	// once a reconfiguration adds it (core.Config.Join). Peers then need
	// not be a whole configuration.
	Join bool
	// JoinWitness makes a joiner a witness: no state machine, no
	// checkpoints. The reconfiguration that adds it must name it a
	// witness (vr reconfigure --add-witness); one that names it otherwise
	// stops it with ErrRole.
	JoinWitness bool
	// JoinStandby makes a joiner a standby: the reconfiguration that adds
	// it must name it a standby (vr reconfigure --add-standby); one that
	// names it otherwise stops it with ErrRole.
	JoinStandby bool
	// AdminSecret, if set, is the cluster's admin credential: a
	// RECONFIGURATION is accepted only with a valid MAC of it (admin.go).
	// Empty: every RECONFIGURATION is refused.
	AdminSecret []byte
	// StatusAddrs is every replica's status address, in configuration
	// order ("" where unknown), for the status page's view of the whole
	// cluster. Nil: the page shows this replica only.
	StatusAddrs []string

	Tick            time.Duration // one core tick; default DefaultTick
	HeartbeatTicks  int           // default core.DefaultHeartbeatTicks (50ms with the default tick)
	ViewChangeTicks int           // default core.DefaultViewChangeTicks (a timeout in [0.5s, 1s))
	RetryTicks      int           // default core.DefaultRetryTicks
	// LeaseTicks is a backup's read-lease promise (core.Config.LeaseTicks);
	// default half of ViewChangeTicks: a backup whose primary's process
	// died learns it from its closed connections (core.Replica.PeerLost)
	// but joins the new view only once its promise ran out, so the lease,
	// not the timeout, decides how soon a killed primary is replaced. At
	// 25 ticks a lease still spans five heartbeats.
	LeaseTicks  int
	MaxSessions int // client table bound; default core.DefaultMaxSessions
	// CheckpointInterval is how many ops lie between checkpoints (default
	// DefaultCheckpointInterval). The log before the previous checkpoint
	// is dropped, so view changes carry at most two intervals of ops.
	CheckpointInterval uint64
	// CheckpointBytes also triggers a checkpoint once this many bytes of
	// log were executed since the last one, whichever trigger comes first
	// (default core.DefaultCheckpointBytes). It bounds the log by bytes
	// when ops are large (batches of coalesced writes).
	CheckpointBytes int
	// MaxMessageBytes bounds every message between replicas (default
	// core.DefaultMaxMessageBytes); the log held in memory is bounded to
	// fit one message. At most half the frame limit (64 MiB).
	MaxMessageBytes int
	// RetainLogBytes bounds the committed entries the driver keeps beyond
	// the in-memory log, from which a backup that fell below its
	// primary's log base catches up instead of fetching a checkpoint
	// (driver/retain.go; default DefaultRetainLogBytes, negative: none).
	RetainLogBytes int
	// MaxClockDrift bounds how fast or slow, as a fraction, any replica's
	// clock may run against real time (default DefaultMaxClockDrift). Read
	// leases are safe only within it.
	MaxClockDrift float64

	// Witnesses are the indexes (into Peers) of the configuration's
	// witnesses: members that hold the log but no state and are never
	// primary (core.RoleWitness). At most f; every replica of the cluster
	// must be given the same list. The replica at Index runs as a witness
	// if its index is listed: no state machine, no checkpoint writer.
	Witnesses []int

	// NewCluster marks the first start of a brand-new cluster (see
	// core.Config.NewCluster). Without it the replica assumes it lost its
	// state and runs the recovery protocol.
	NewCluster bool

	// DataDir turns on durable mode: the log and the replica's promises
	// live there and survive restarts. Empty: diskless, as in the paper.
	DataDir string
	// Sync is durable mode's sync policy (default SyncAlways).
	Sync SyncMode
	// SegmentSize bounds a log segment file (default wal.DefaultSegmentSize).
	// The log is truncated a whole segment at a time.
	SegmentSize int64
	// MemoryLimit is the process's soft memory limit in bytes: 0 leaves
	// Go's setting alone; MemoryLimitFromState derives it from the state's
	// size (2 × data + 128 MiB, at least 512 MiB), as `vr server` does by
	// default. A GOMEMLIMIT environment variable wins. See memlimit.go. It
	// applies to the whole process: nodes that share one (tests, in-process
	// clusters) should leave it 0.
	MemoryLimit int64
	// CheckpointBaseRate bounds, in bytes per second, how fast durable
	// mode writes a new checkpoint base in the background (default
	// DefaultCheckpointBaseRate; negative: unpaced). See
	// storage.Config.BaseRate.
	CheckpointBaseRate int64
	// SlowTraceDir, if set, keeps the process's last seconds of execution
	// trace in memory and writes them to a file in this directory when
	// the replica's loop has a slow iteration (at most one every 10 s, 20
	// in all): `go tool trace` shows what the loop waited for. One node
	// per process may set it. See stalltrace.go.
	SlowTraceDir string
	// NoPreallocate turns off the log's prepared segments
	// (wal.Options.Preallocate): with them a sync writes data only, but
	// every segment is written twice, once as zeros. They are off anyway
	// when DataDir is on tmpfs, where a sync writes nothing.
	NoPreallocate bool

	// NewStateMachine returns the empty state machine to replicate; it is
	// called once per start (the replica rebuilds its state from the log
	// and checkpoints). Default: the key-value store with KVLimits. A
	// state machine that implements Describer shows its size and digest on
	// the status page.
	NewStateMachine func() core.StateMachine
	// OpenStateMachine, if set, is used instead of NewStateMachine: a
	// state machine whose opening can fail, such as one that keeps its
	// working copy on disk (pebblekv). New calls it once, after it holds
	// the data directory's lock; Run closes it (io.Closer) on its way out.
	OpenStateMachine func() (core.StateMachine, error)
	KVLimits         kv.Limits
	Seed             uint64 // jitter and nonces; 0 draws one from crypto/rand
	Logger           *slog.Logger

	// TLS turns on mutual TLS on every connection, with the replica's
	// identity bound to its certificate and the clients' roles checked
	// (transport.Config.TLS, RequiredRole). Nil: plaintext, and every
	// client may do everything.
	TLS *auth.Source
}

func (c Config) withDefaults() Config {
	if c.Listen == "" && c.Index >= 0 && c.Index < len(c.Peers) {
		c.Listen = c.Peers[c.Index]
	}
	if c.Tick == 0 {
		c.Tick = DefaultTick
	}
	if c.HeartbeatTicks == 0 {
		c.HeartbeatTicks = core.DefaultHeartbeatTicks
	}
	if c.ViewChangeTicks == 0 {
		c.ViewChangeTicks = core.DefaultViewChangeTicks
	}
	if c.LeaseTicks == 0 {
		c.LeaseTicks = max(1, c.ViewChangeTicks/2)
	}
	if c.RetryTicks == 0 {
		c.RetryTicks = core.DefaultRetryTicks
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = core.DefaultMaxSessions
	}
	if c.CheckpointInterval == 0 {
		c.CheckpointInterval = DefaultCheckpointInterval
	}
	if c.MaxClockDrift == 0 {
		c.MaxClockDrift = DefaultMaxClockDrift
	}
	if c.CheckpointBytes == 0 {
		c.CheckpointBytes = core.DefaultCheckpointBytes
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = core.DefaultMaxMessageBytes
	}
	if c.RetainLogBytes == 0 {
		c.RetainLogBytes = DefaultRetainLogBytes
	}
	if c.KVLimits == (kv.Limits{}) {
		c.KVLimits = kv.DefaultLimits()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sync == "" {
		c.Sync = SyncAlways
	}
	if c.CheckpointBaseRate == 0 {
		c.CheckpointBaseRate = DefaultCheckpointBaseRate
	}
	return c
}

// Validate reports a clear error for a configuration that cannot work.
func (c Config) Validate() error {
	if c.Join {
		return c.validateJoin()
	}
	n := len(c.Peers)
	switch {
	case c.JoinWitness || c.JoinStandby:
		return fmt.Errorf("%w: JoinWitness and JoinStandby are for a joiner (Join)", ErrConfig)
	case n == 0 || n%2 == 0:
		return fmt.Errorf("%w: %d replicas is not 2f+1 (use 1, 3, 5, ...)", ErrConfig, n)
	case c.StatusAddrs != nil && len(c.StatusAddrs) != n:
		return fmt.Errorf("%w: %d status addresses for %d replicas", ErrConfig, len(c.StatusAddrs), n)
	case c.Index < 0 || c.Index >= n:
		return fmt.Errorf("%w: replica index %d out of range [0, %d)", ErrConfig, c.Index, n)
	case c.Tick < time.Millisecond:
		return fmt.Errorf("%w: tick %v is below 1ms", ErrConfig, c.Tick)
	case c.MaxClockDrift < 0 || c.MaxClockDrift >= 0.5:
		return fmt.Errorf("%w: max clock drift %v outside [0, 0.5)", ErrConfig, c.MaxClockDrift)
	case c.Sync != SyncAlways && c.Sync != SyncAsync:
		return fmt.Errorf("%w: sync mode %q: use %q or %q", ErrConfig, c.Sync, SyncAlways, SyncAsync)
	case c.MaxMessageBytes > maxMessageBytes:
		return fmt.Errorf("%w: max message bytes %d above %d (half the frame limit)", ErrConfig, c.MaxMessageBytes, maxMessageBytes)
	}
	if _, err := c.membership(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := c.coreConfig(nil).Defaults().Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return c.validatePeers()
}

// validateJoin checks a joiner's configuration: an id, addresses of the
// members it knows, its own listen address.
func (c Config) validateJoin() error {
	switch {
	case c.Index < 0 || c.Index >= message.MaxMembers:
		return fmt.Errorf("%w: replica id %d out of range [0, %d)", ErrConfig, c.Index, message.MaxMembers)
	case c.Index >= len(c.Peers) || c.Peers[c.Index] == "":
		return fmt.Errorf("%w: a joiner needs its own address (Peers[%d])", ErrConfig, c.Index)
	case c.JoinWitness && c.JoinStandby:
		return fmt.Errorf("%w: a joiner is a witness or a standby, not both", ErrConfig)
	case len(c.Witnesses) > 0:
		return fmt.Errorf("%w: a joiner's role comes from the reconfiguration that adds it (JoinWitness for a witness)", ErrConfig)
	case c.Tick < time.Millisecond:
		return fmt.Errorf("%w: tick %v is below 1ms", ErrConfig, c.Tick)
	case c.Sync != SyncAlways && c.Sync != SyncAsync:
		return fmt.Errorf("%w: sync mode %q: use %q or %q", ErrConfig, c.Sync, SyncAlways, SyncAsync)
	}
	if err := c.coreConfig(nil).Defaults().Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return c.validatePeers()
}

// validatePeers checks every known address ("" is an unknown one).
func (c Config) validatePeers() error {
	seen := map[string]bool{}
	for i, a := range c.Peers {
		if a == "" && c.Join {
			continue
		}
		if len(a) > message.MaxAddrLen {
			return fmt.Errorf("%w: replica %d address of %d bytes, at most %d", ErrConfig, i, len(a), message.MaxAddrLen)
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("%w: replica %d address %q: %v", ErrConfig, i, a, err)
		}
		if seen[a] {
			return fmt.Errorf("%w: address %q appears twice", ErrConfig, a)
		}
		seen[a] = true
	}
	return nil
}

// membership is the configuration: every peer a full replica but the
// witnesses. Validate reports a bad witness list.
func (c Config) membership() (core.Membership, error) {
	return core.NewMembership(len(c.Peers)).WithWitnesses(c.Witnesses...)
}

// IsWitness reports whether this replica is a witness.
func (c Config) IsWitness() bool {
	return (c.Join && c.JoinWitness) || (!c.Join && slices.Contains(c.Witnesses, c.Index))
}

func (c Config) coreConfig(restart *core.Durable) core.Config {
	m, _ := c.membership() // an error leaves the full membership; Validate reports it
	return core.Config{
		Membership:   m,
		ReplicaCount: len(c.Peers), Index: c.Index, Seed: c.Seed,
		HeartbeatTicks: c.HeartbeatTicks, ViewChangeTicks: c.ViewChangeTicks,
		RetryTicks: c.RetryTicks, MaxSessions: c.MaxSessions, LeaseTicks: c.LeaseTicks,
		CheckpointInterval: c.CheckpointInterval, CheckpointBytes: c.CheckpointBytes,
		MaxMessageBytes: c.MaxMessageBytes,
		FetchLog:        c.RetainLogBytes > 0,
		MaxClockDrift:   int(math.Ceil(c.MaxClockDrift * 1000)),
		// A joiner without a durable state always recovers once it joined:
		// a diskless restart cannot tell a new joiner from one that took
		// part in its epoch and forgot its promises (core.Config.Join).
		Recovering: restart == nil && (c.Join || !c.NewCluster),
		NewCluster: c.NewCluster && restart == nil && !c.Join,
		Join:       c.Join,
		JoinID:     uint8(c.Index),
		JoinPeers:  c.joinPeers(),
		Restart:    restart,
		// In sync mode the node sends Prepares before its own write and
		// reports durability with Persisted (see Node.flush).
		DurableAcks: c.DataDir != "" && c.Sync == SyncAlways,
	}
}

// joinPeers are the ids a joiner asks for news of its epoch: those whose
// address it knows.
func (c Config) joinPeers() []uint8 {
	if !c.Join {
		return nil
	}
	var ids []uint8
	for i, a := range c.Peers {
		if a != "" && i != c.Index {
			ids = append(ids, uint8(i))
		}
	}
	return ids
}

var _ core.StateMachine = (*kv.Store)(nil)

// DefaultCheckpointInterval is the default number of ops between
// checkpoints: view changes then carry at most 40,000 entries, well below
// the size at which they outlast the view-change timeout.
const DefaultCheckpointInterval = 20000

// DefaultRetainLogBytes is the default RetainLogBytes: 64 MiB of committed
// entries, about four seconds of writes at 16,000 writes of 1 KiB per
// second, where the in-memory log (bounded to one 32 MiB message, cut at
// checkpoints every 8 MiB) covers about one (docs/benchmarks.md).
const DefaultRetainLogBytes = 64 << 20

// maxMessageBytes is the largest MaxMessageBytes: half the wire's default
// body limit, which the transport enforces on every frame.
const maxMessageBytes = 32 << 20

// DefaultMaxClockDrift is the default bound on clock drift: 1%, far above
// what quartz clocks drift, so that it also covers a tick delivered late.
// The node's clock is the monotonic wall clock (see clock.go).
const DefaultMaxClockDrift = float64(core.DefaultMaxClockDrift) / 1000

// MemoryLimitFromState, as Config.MemoryLimit, derives the memory limit
// from the state's size.
const MemoryLimitFromState = -1

// DefaultCheckpointBaseRate is the default pace of a background base
// write in durable mode: 128 MiB/s writes a GiB of state in 8 s, while
// the deltas go on every few seconds beside it (benchmarks.md, "Why views
// changed"). Since the replicas' bases are staggered, one replica writes
// a base at a time; at 64 MiB/s (16 s a GiB) the records written over
// during a base, which its snapshot keeps alive, took a replica above
// its memory budget at 16k writes a second (benchmarks.md, "Staggered
// bases, deltas from the notes").
const DefaultCheckpointBaseRate = 128 << 20

// DefaultTick is the default length of one core tick.
const DefaultTick = 10 * time.Millisecond
