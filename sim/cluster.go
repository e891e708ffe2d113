package sim

import (
	"errors"
	"math"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/pebblekv"
)

// replica is one simulated server: a core replica and its kv store, or
// nothing while crashed. Fields below "per incarnation" restart with it.
type replica struct {
	idx  int
	core *core.Replica
	// info is the replica's state as the last checked step read it
	// (checkReplica refills it: core.InfoTo).
	info   core.Info
	drv    *driver.Driver // the real loop body around core
	bootAt int64          // when this incarnation started: its clock's zero
	// A drain in progress (see drain.go): inbox holds the messages that
	// reached the replica and wait for it; busyUntil is when its slow step
	// ends; forcedStall makes its next step slow (episodes).
	draining               bool
	busyUntil, forcedStall int64
	inbox                  []event
	store                  *kv.Store       // with EngineKV
	pebble                 *pebblekv.Store // with EnginePebble
	tap                    *tapOps         // what the state machine applied (atmostonce.go)
	up                     bool
	inc                    uint32 // incarnation; ticks of an older one are ignored
	period                 int64  // tick period in real time (clock skew): the clock runs at Tick/period
	// The replica's clock read localBase at rateSince and has run at the
	// rate of period since (Faults.DriftChanges changes it).
	localBase, rateSince int64
	lastCrash            int64 // last crash or restart, for the stability monitor

	// recovering: restarted and not yet normal; counts as down.
	recovering bool
	// unborn: not started yet (a NewCluster run starts replicas at random
	// times); joined: normal at least once, or sent a DoViewChange, in any
	// incarnation. A replica that never joined held nothing (no op, no
	// promise), so it is no fault while it is down or still in its first
	// handshake.
	unborn, joined bool
	// amnesiac: restarted after it joined, and has not held the state at
	// its log base since. Only such a replica counts against f while it
	// fetches a checkpoint; one that lags behind checkpoints the others
	// saved is no fault (core/quorumsaved.go keeps the state with them).
	amnesiac bool
	// disk is the replica's disk in durable mode (nil when diskless); it
	// survives crashes.
	disk *disk
	// ckpts is the checkpoint writer of this incarnation (ckpt.go).
	ckpts replicaCkpts
	// ckptSize is the size of the last checkpoint it wrote, to size the
	// next one's buffer.
	ckptSize int
	// led is what its last step said about the view it led (commitview.go).
	led lastLed

	// per incarnation: what the checks saw last
	commit, executed, checked uint64
	leaseReads                uint64 // reads the core answered under a lease
	logCatchUps, logFetched   uint64 // the core's counters of catch-ups from a retained log
	digestAt                  uint64 // Executed when the digest was last compared
	view                      uint64
	status                    core.Status
	since                     int64  // when (status, view) was entered
	epoch                     uint64 // the epoch it was in (reconfig.go)
	epochSeen                 bool
}

// bootMode says how a replica incarnation starts.
type bootMode uint8

const (
	bootNormal     bootMode = iota // normal in view 0 (a cluster created by hand)
	bootRecovering                 // lost its state: the recovery protocol
	bootNewCluster                 // a new member: the NewCluster handshake
)

// The simulator's replicas run faster timers than the production defaults
// (core.Default*): with its 10ms tick, a heartbeat every 20ms and a view
// change after 100 to 199ms of silence, so a run of a few simulated seconds
// sees many view changes.
const (
	simHeartbeatTicks  = 2
	simViewChangeTicks = 10
	simRetryTicks      = 3
)

// setupCluster creates the replicas and starts their clocks at random
// phases: all normal in view 0 or, in a bootstrap run, each at a random
// time with the NewCluster handshake.
func (r *run) setupCluster() {
	r.bootstrap = r.chance(r.opts.Faults.Bootstrap)
	r.sessions = r.opts.MaxSessions
	if r.sessions == 0 && r.chance(r.opts.Faults.SessionPressure) {
		r.sessions = max(1, r.opts.Clients-1)
	}
	r.drawWitnesses()
	r.drawCheckpoints()
	if r.opts.Faults.Durable {
		r.segSize = r.between(512, 8<<10)
		// Half the runs prepare their log segments (zeros ahead of the
		// records: wal.Options.Preallocate). Decided by the seed, not
		// drawn, so that every other draw stays as it was.
		r.prepared = r.opts.Seed%2 == 0
	}
	r.drawSlowDisk()
	for i := 0; i < r.n; i++ {
		rep := &replica{idx: i, lastCrash: -1 << 40}
		rep.period = r.drawPeriod()
		if r.opts.Faults.Durable {
			r.formatDisk(rep)
		}
		r.replicas = append(r.replicas, rep)
		r.firstStart(rep)
	}
}

// firstStart boots rep now, or schedules its start in a bootstrap run.
func (r *run) firstStart(rep *replica) {
	if !r.bootstrap {
		rep.joined = true
		r.boot(rep, bootNormal, nil)
		return
	}
	rep.unborn = true
	if r.chance(0.5) {
		r.startUnborn(rep)
		return
	}
	at := r.between(1, us(r.opts.Faults.MaxStartDelay))
	r.schedule(at, event{kind: evStart, node: rep.idx})
}

// startUnborn starts a replica of a bootstrap run for the first time.
func (r *run) startUnborn(rep *replica) {
	if !rep.unborn {
		return
	}
	rep.unborn = false
	r.logf("start replica %d (new cluster)", rep.idx)
	r.boot(rep, bootNewCluster, nil)
	r.afterStep(rep)
}

// drawCheckpoints picks this run's checkpoint interval and chunk size: in
// profiles with checkpoints, an interval of 4 to 64 ops in three runs out
// of four, and chunks of 16 to 512 bytes, so that a checkpoint takes
// several chunks.
func (r *run) drawCheckpoints() {
	if !r.opts.Faults.Checkpoints {
		return
	}
	if chunk := int(r.between(16, 512)); r.ckptChunk == 0 {
		r.ckptChunk = chunk // else set by a scripted scenario (drawn all the same)
	}
	if r.ckptEvery != 0 {
		return // set by a scripted scenario
	}
	if !r.chance(0.25) || r.opts.Faults.Name == "checkpoint" {
		r.ckptEvery = uint64(r.between(4, 64))
	}
}

// boundBytes sets the replicas' byte bounds of profiles with large values:
// a request holds LargeValues bytes of values plus room for its keys and
// encoding; a Prepare's batch and a checkpoint chunk hold a third of a
// message (the defaults, 1 MiB, for the 3 MiB messages of earlier runs).
func (r *run) boundBytes(cfg *core.Config) {
	fc := &r.opts.Faults
	if fc.LargeValues == 0 {
		return
	}
	cfg.MaxMessageBytes, cfg.CheckpointBytes = fc.MaxMessageBytes, fc.CheckpointBytes
	cfg.MaxRequestBytes = fc.LargeValues + 64<<10
	cfg.MaxBatchBytes = fc.MaxMessageBytes / 3
	if cfg.CheckpointChunk == 0 {
		cfg.CheckpointChunk = fc.MaxMessageBytes / 3
	}
}

// driftBound is the clock drift bound, in parts per thousand, that the
// run's skew respects: a period of base×(1±s) is a rate within s/(1-s) of
// real time.
func (r *run) driftBound() int {
	s := r.opts.Faults.Skew
	return int(math.Ceil(1000*s/(1-s))) + 1
}

// maxSessions reports the client-table bound in force (0: core default).
func (r *run) maxSessions() int { return r.sessions }

// boot starts a new incarnation of rep with empty state; a replica that
// cannot start is a simulator bug.
func (r *run) boot(rep *replica, mode bootMode, durable *core.Durable) {
	if err := r.bootWith(rep, mode, durable); err != nil {
		panic(err) // the options were validated: a bad config is a sim bug
	}
}

// bootFromDisk starts a new incarnation of rep from its disk's state; it
// fails, leaving rep down, when the disk cannot give it back (a read of
// the checkpoint failed).
func (r *run) bootFromDisk(rep *replica, durable *core.Durable) error {
	return r.bootWith(rep, bootNormal, durable)
}

// bootWith starts a new incarnation of rep: with empty state, or from its
// disk (durable, non-nil).
func (r *run) bootWith(rep *replica, mode bootMode, durable *core.Durable) error {
	cfg := core.Config{
		ReplicaCount: r.n, Index: rep.idx, Seed: r.rng.Uint64(),
		HeartbeatTicks: simHeartbeatTicks, ViewChangeTicks: simViewChangeTicks, RetryTicks: simRetryTicks,
		MaxSessions: r.sessions,
		Recovering:  mode == bootRecovering, NewCluster: mode == bootNewCluster,
		MaxClockDrift: r.driftBound(), LeaseTicks: r.opts.Faults.LeaseTicks,
		CheckpointInterval: r.ckptEvery, CheckpointChunk: r.ckptChunk,
		Restart: durable, DurableAcks: rep.disk != nil,
	}
	r.boundBytes(&cfg)
	cfg.FetchLog = r.opts.Faults.RetainLogBytes > 0
	cfg.Plant(r.opts.Bugs)
	var store *kv.Store
	var c *core.Replica
	var err error
	if r.witness != nil {
		cfg.Membership = r.membership()
	}
	if r.adm.initial > 0 {
		r.reconfigBoot(&cfg, rep)
	}
	if r.isWitness(rep.idx) {
		c, err = core.New(cfg, nil) // a witness holds no state
	} else {
		var sm core.StateMachine
		sm, store = r.newStateMachine(rep)
		c, err = core.New(cfg, sm)
	}
	if err != nil {
		if durable != nil && errors.Is(err, core.ErrBadDurableState) {
			return err
		}
		panic(err) // the options were validated: a bad config is a sim bug
	}
	rep.core, rep.store, rep.up, rep.bootAt = c, store, true, r.now
	rep.localBase, rep.rateSince = 0, r.now
	rep.ckpts = replicaCkpts{lazy: r.lazySaves(rep)}
	if durable != nil {
		r.holdDurable(rep, durable)
	}
	rep.drv = driver.New(c, r.driverConfig(rep))
	rep.recovering = mode == bootRecovering || (mode == bootNewCluster && rep.joined)
	rep.amnesiac = rep.joined
	rep.inc++
	rep.commit, rep.executed, rep.checked, rep.digestAt, rep.leaseReads = 0, 0, 0, 0, 0
	rep.logCatchUps, rep.logFetched = 0, 0
	rep.view, rep.status, rep.since = 0, 0, r.now
	r.observe(rep)
	r.schedule(r.now+r.between(1, rep.period), event{kind: evTick, node: rep.idx, inc: rep.inc})
	return nil
}

// crash loses rep's state.
func (r *run) crash(rep *replica) {
	r.logf("crash replica %d (view %d, status %v)", rep.idx, rep.view, rep.status)
	r.countCompactions(rep)
	r.closePebble(rep)
	rep.core, rep.store, rep.tap, rep.up, rep.recovering = nil, nil, nil, false, false
	rep.inbox, rep.busyUntil, rep.forcedStall, rep.draining = nil, 0, 0, false
	if rep.disk != nil {
		r.crashDisk(rep)
	}
	r.crashLinks(rep.idx)
	r.crashHeld(rep.idx)
	rep.inc++
	rep.lastCrash = r.now
	r.announceLost(rep.idx)
	r.res.Crashes++
	r.mon.update(r)
}

// kvLayout is the layout of the replicas' stores: slabs of 1, 2 or 4 KiB
// (by seed, drawing nothing from the run's generator) with no floor, so
// that the small states of a run compact and drop slabs while snapshots,
// deltas and installs read them; with Options.KVFreeAtOnce, that bug
// planted.
func (r *run) kvLayout() kv.Layout {
	l := kv.Layout{SlabSize: kv.MinSlabSize << (r.opts.Seed % 3), CompactFloor: -1}
	l.Plant(plant.KV{FreeAtOnce: r.opts.KVFreeAtOnce})
	return l
}

// newStore returns an empty store with the run's layout.
func (r *run) newStore() *kv.Store {
	s, err := kv.NewWithLayout(kv.DefaultLimits(), r.kvLayout())
	if err != nil {
		panic(err) // kvLayout's sizes are in range: a sim bug
	}
	return s
}

// countCompactions adds what rep's store compacted to the result (at a
// crash, which drops the store, and at the end).
func (r *run) countCompactions(rep *replica) {
	if rep.store != nil {
		r.res.KVCompactions += rep.store.Memory().Compactions
	}
}

// restart brings a crashed replica back: from its disk in durable mode, in
// recovery with a fresh store otherwise (or when its disk is corrupt).
func (r *run) restart(rep *replica) {
	r.logf("restart replica %d", rep.idx)
	rep.lastCrash = r.now
	if rep.disk != nil {
		if !r.restartDurable(rep) {
			return
		}
	} else {
		r.boot(rep, r.disklessRestartMode(rep), nil)
	}
	r.afterStep(rep)
	r.mon.update(r)
}

// disklessRestartMode is how a diskless replica restarts: a replica that
// never joined starts its first handshake again; one that did recovers, or
// in a bootstrap run now and then gets NewCluster by mistake (which must be
// harmless: it then recovers).
func (r *run) disklessRestartMode(rep *replica) bootMode {
	if !rep.joined || (r.bootstrap && r.chance(0.2)) {
		return bootNewCluster
	}
	return bootRecovering
}

// downOrRecovering counts replicas that are crashed, still recovering, or
// restarted and still without the replicated state (a log whose base is
// above what they executed, while they fetch a checkpoint). The fault
// model allows at most f of them: such a replica is not a copy of the
// state, so crashing the last replicas that hold it loses it. A replica
// that never crashed but lags behind a checkpoint is not counted: the
// protocol itself must keep the state with others (core/quorumsaved.go).
func (r *run) downOrRecovering() int {
	k := 0
	for _, rep := range r.replicas {
		if !rep.joined {
			continue // it holds nothing to lose
		}
		// A witness never holds the state: it counts only when down
		// (stateSurvives guards the state in witness runs).
		if !rep.up || rep.recovering || (rep.disk != nil && rep.disk.damaged) || (r.lostState(rep) && !r.isWitness(rep.idx)) {
			k++
		}
	}
	if r.adm.initial > 0 {
		k = max(k, r.laggingMembers()) // reconfig.go
	}
	return k
}

// tickReplica advances one replica's clock and schedules its next tick.
func (r *run) tickReplica(e event) {
	rep := r.replicas[e.node]
	if !rep.up || e.inc != rep.inc {
		return
	}
	// In a slow step, or at its end before the drain resumed: the clock
	// catches up after, and the timers fire once the inbox was read.
	if rep.draining {
		r.schedule(r.now+rep.period, event{kind: evTick, node: rep.idx, inc: rep.inc})
		return
	}
	rep.drv.CatchUp(r.elapsed(rep))
	rep.drv.Flush()
	r.schedule(r.now+rep.period, event{kind: evTick, node: rep.idx, inc: rep.inc})
	r.mon.update(r)
}

// deliver hands a message to a replica.
func (r *run) deliver(e event) {
	rep := r.replicas[e.node]
	if !rep.up {
		r.res.MessagesDropped++
		return
	}
	if !r.arrivesOrHeld(e.from, e.node, e.msg) {
		return
	}
	if r.opts.LogMessages {
		r.logf("%d → %d %T %+v", e.from, e.node, e.msg, e.msg)
	}
	r.deliverToReplica(rep, e)
}

// afterStep sends what rep produced (through its driver).
func (r *run) afterStep(rep *replica) { rep.drv.Flush() }

// lazySaves is a replica's driver.LazySaves: diskless, it keeps its
// checkpoints unwritten while no peer fetches one, as the node's writer
// does. The window after a fetch is one of three by seed (drawing nothing
// from the run's generator), so that runs see the saver go idle again;
// one seed in four writes every checkpoint, as a durable replica does, so
// that the diskless episodes still build the chains of deltas that
// fetchers take records from (a lazy saver's chain starts at a fetch).
func (r *run) lazySaves(rep *replica) driver.LazySaves {
	windows := [...]time.Duration{50 * time.Millisecond, 500 * time.Millisecond, 5 * time.Second, 0}
	w := windows[(r.opts.Seed/3)%4]
	if rep.disk != nil || w == 0 {
		return driver.LazySaves{}
	}
	return driver.LazySaves{On: true, Window: w}
}
