// Package sim is a deterministic simulator that tries to break the VR core.
//
// One run drives a cluster of core.Replica instances (each with its own
// kv.Store) and a few clients (each a proxy.Proxy issuing random key-value
// operations) from a single event loop with one seeded PRNG and simulated
// time. A fault phase loses, duplicates, delays and reorders messages,
// partitions the network (isolated replicas, random halves, one-way links),
// crashes and restarts replicas and skews their clocks; a quiet phase then
// heals everything. After every step the simulator checks the replicas'
// invariants, the agreement of committed entries, monotonic commit-numbers
// and equal state digests; at the end it checks that the clients' history
// is linearizable and that the healed cluster served every request and
// converged. The first violation ends the run with a *Violation.
//
// The same Options always give the same run: Result.TraceHash hashes every
// event in order.
package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/vr-go/vr/internal/plant"
)

// Options configures one simulation run. Zero fields take defaults.
type Options struct {
	Seed     uint64
	Replicas int // 3 or 5; 0: DefaultReplicas(Seed)
	Clients  int // 0: 4
	Keys     int // size of the key set the clients use; 0: 3

	FaultDuration time.Duration // simulated length of the fault phase; 0: 2s
	QuietDuration time.Duration // simulated length of the quiet phase; 0: 2.5s
	// Drain is the final part of the quiet phase in which clients submit
	// nothing new, so the replicas can converge; 0: 1s.
	Drain time.Duration
	// LivenessBound is how long any request may stay unanswered in the quiet
	// phase (measured from the later of its submission and the heal); 0: 1s.
	LivenessBound time.Duration
	// StableWindow is how long a quorum must have been healthy and
	// fault-free before a view change among it counts as a disruption;
	// 0: 600ms.
	StableWindow time.Duration
	// Tick is the base period of replica and client clocks; 0: 10ms.
	Tick time.Duration

	// Profile names the fault profile (see Profiles); "" is "all". It is
	// ignored when Faults.Name is set.
	Profile string
	// Faults overrides the profile when its Name is set.
	Faults FaultConfig
	// MaxSessions bounds each replica's client table; 0 lets the profile
	// decide (usually the core's default, sometimes fewer than Clients).
	MaxSessions int
	// Witnesses is the number of witnesses in the cluster (at most f), at
	// random indexes; 0: as the profile says (Faults.Witnesses).
	Witnesses int
	// BandwidthMiB, if set, overrides the capacity of the links between
	// replicas (Faults.Bandwidth) with this many MiB per second; links
	// then have control and bulk lanes (lanes.go). 0: as the profile says.
	BandwidthMiB int
	// Bugs plants core bugs, to show that the checks catch them.
	Bugs plant.Bugs
	// SendBeforeDurable plants a driver bug in durable mode: messages leave
	// before the write they depend on is durable. For tests only.
	SendBeforeDurable bool
	// ClockOncePerDrain plants a driver bug: the clock is read once per
	// batch of inputs, not before each (review finding C). For tests only.
	ClockOncePerDrain bool
	// TimersBeforeInbox plants a driver bug: after a stall the timers fire
	// before the inputs queued meanwhile are read (issue 10). For tests
	// only.
	TimersBeforeInbox bool
	// TruncateBeforeCheckpoint plants a bug of package storage in durable
	// mode: the log is dropped up to a new checkpoint before the
	// checkpoint is durable. For tests only.
	TruncateBeforeCheckpoint bool
	// IgnoreSyncRecords plants a bug of package wal in durable mode: no
	// sync records, marks ignored, so damage at the end of the last synced
	// group is cut as a torn write (review finding B). For tests only.
	IgnoreSyncRecords bool
	// IgnoreIOErrors, ShortReadIsEnd and ZeroIsEnd plant the bugs of
	// package wal of the same names (see plant.WAL); AckBeforeDurable the
	// driver bug (plant.Driver). For tests only.
	IgnoreIOErrors, ShortReadIsEnd, ZeroIsEnd bool
	AckBeforeDurable                          bool
	// DeltaFromOtherChain plants the driver bug of that name
	// (plant.Driver): records served after the wrong link. For tests
	// only.
	DeltaFromOtherChain bool
	// RetainAppended plants the driver bug of that name (plant.Driver):
	// the retained log keeps entries that were appended, not executed,
	// and never replaces them. For tests only.
	RetainAppended bool
	// NeverAsked plants the driver bug of that name (plant.Driver): a
	// diskless replica's lazy saver is never told that a peer fetches a
	// checkpoint. For tests only.
	NeverAsked bool
	// KVFreeAtOnce plants the bug of package kv of that name (plant.KV):
	// a slab whose records all died is dropped while the notes of the
	// next delta still name them. For tests only.
	KVFreeAtOnce bool

	// Engine is the replicas' state machine: EngineKV (the default, also
	// "") or EnginePebble (package pebblekv on an in-memory file system,
	// one per incarnation, as vr server --engine pebble reopens an empty
	// working copy at every start).
	Engine string

	// Log, if set, receives a human-readable account of the run.
	Log io.Writer
	// LogMessages also logs every message delivery (very verbose).
	LogMessages bool
}

// defaultQuiet is the default length of the quiet phase.
const defaultQuiet = 2500 * time.Millisecond

// DefaultReplicas is the cluster size used for seed when Options.Replicas
// is zero: 3 for odd seeds, 5 for even ones.
func DefaultReplicas(seed uint64) int {
	if seed%2 == 1 {
		return 3
	}
	return 5
}

// withDefaults fills zero fields and validates the options.
func (o Options) withDefaults() (Options, error) {
	if o.Replicas == 0 {
		o.Replicas = DefaultReplicas(o.Seed)
	}
	if o.Clients == 0 {
		o.Clients = 4
	}
	if o.Keys == 0 {
		o.Keys = 3
	}
	setDur(&o.FaultDuration, 2*time.Second)
	setDur(&o.QuietDuration, defaultQuiet)
	setDur(&o.Drain, time.Second)
	setDur(&o.LivenessBound, time.Second)
	setDur(&o.StableWindow, 600*time.Millisecond)
	setDur(&o.Tick, 10*time.Millisecond)
	if o.Faults.Name == "" {
		fc, err := Profile(o.Profile)
		if err != nil {
			return o, err
		}
		o.Faults = fc
	}
	o.Profile = o.Faults.Name
	if o.BandwidthMiB > 0 {
		o.Faults.Bandwidth = o.BandwidthMiB << 20
	}
	if o.Faults.BeyondF {
		o.LivenessBound = 1 << 62 // liveness is not required
	}
	return o, o.validate()
}

func setDur(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

func (o Options) validate() error {
	switch {
	case o.Replicas < 1 || o.Replicas%2 == 0 || o.Replicas > 255:
		return fmt.Errorf("%w: replicas %d is not 2f+1", ErrBadOptions, o.Replicas)
	case o.witnessCount() < 0 || o.witnessCount() > (o.Replicas-1)/2:
		return fmt.Errorf("%w: %d witnesses among %d replicas: at most f", ErrBadOptions, o.witnessCount(), o.Replicas)
	case o.BandwidthMiB < 0 || o.BandwidthMiB > 1<<20:
		return fmt.Errorf("%w: bandwidth %d MiB/s out of range", ErrBadOptions, o.BandwidthMiB)
	case o.Clients < 1 || o.Keys < 1 || o.MaxSessions < 0:
		return fmt.Errorf("%w: need clients, keys >= 1 and max sessions >= 0", ErrBadOptions)
	case o.Tick < time.Microsecond || o.Drain >= o.QuietDuration:
		return fmt.Errorf("%w: tick must be >= 1µs and drain shorter than the quiet phase", ErrBadOptions)
	case o.FaultDuration < 0 || o.LivenessBound <= 0 || o.StableWindow <= 0:
		return fmt.Errorf("%w: negative durations", ErrBadOptions)
	case o.Engine != "" && o.Engine != EngineKV && o.Engine != EnginePebble:
		return fmt.Errorf("%w: engine %q: use %s or %s", ErrBadOptions, o.Engine, EngineKV, EnginePebble)
	case o.Engine == EnginePebble && o.KVFreeAtOnce:
		return fmt.Errorf("%w: KVFreeAtOnce plants a bug of package kv, not of the pebble engine", ErrBadOptions)
	}
	return o.Faults.validate()
}

// Run simulates one run and returns its summary. The error is a *Violation
// when a check failed, or wraps ErrBadOptions.
func Run(opts Options) (Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	r := newRun(opts)
	defer r.closeStores()
	r.start()
	r.runUntil(r.endAt)
	return r.finish()
}

// us converts a duration to simulated microseconds.
func us(d time.Duration) int64 { return d.Microseconds() }

// newRng returns the run's PRNG. Everything random in a run comes from it.
func newRng(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x5eed5eed5eed5eed))
}
