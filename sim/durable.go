package sim

import (
	"log/slog"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/storage"
	"github.com/vr-go/vr/wal"
)

// disk is a replica's durable mode: its simulated disk, which survives
// crashes, and the storage (package storage, as `vr server --data-dir`
// runs it) of its current incarnation.
type disk struct {
	fs    *simFS
	st    *storage.Storage // nil while crashed
	waits []diskWait       // FIFO: each completes at its time
	// lastDone is when the last queued wait completes (writes are FIFO).
	lastDone int64
	// damaged: a fault damaged data on the disk (rot, a misdirected
	// write) since its last restart: it may lose its state, and counts
	// against f until it restarts.
	damaged bool
	// fullUntil: writes and syncs fail with ENOSPC until then.
	fullUntil int64
	// checkpointing: the Output being persisted carries a checkpoint.
	checkpointing bool
	// promised is what the storage last reported durable (see
	// checkResumed); set is false until it reported anything.
	promised durableMark
	// spareDones is the storage of a completed wait's dones, for the
	// next wait.
	spareDones []func()
}

// durableMark is the part of a replica's state a write made durable that
// a restart from the disk must give back: its views, and (in those views)
// its log's end.
type durableMark struct {
	set   bool
	hard  markedHard
	logTo uint64
}

// markedHard is the part of a hard state checkResumed compares: the
// epoch and views (a copy of the whole HardState, with its member lists,
// at every write was about 1% of a durable seed's instructions).
type markedHard struct {
	Epoch, View, LastNormalView, PromisedView uint64
}

// markOf returns the part of h a durable mark keeps.
func markOf(h *core.HardState) markedHard {
	return markedHard{Epoch: h.Epoch, View: h.View, LastNormalView: h.LastNormalView, PromisedView: h.PromisedView}
}

// simStorage is the storage of rep as driver.Storage: the real storage,
// noting what each write made durable once it is. The callbacks that do
// so are made once and reused (a closure per write was about a tenth of
// the simulator's allocations).
type simStorage struct {
	r    *run
	rep  *replica
	free []*pendingMark // callbacks called, to reuse
	// logEnd is the end of the replica's log when its Output was checked
	// (driverConfig's OnOutput), if logEndSet: the driver persists that
	// Output next, without stepping the replica in between, so Persist
	// need not ask the core again.
	logEnd    uint64
	logEndSet bool
}

// pendingMark is what a write in flight makes durable, and the driver's
// callback for it.
type pendingMark struct {
	s          *simStorage
	d          *disk
	m          durableMark
	recovering bool
	inFlight   bool
	done       func() // the driver's
	written    func() // p.durable, made once
}

func (s *simStorage) Persist(out *core.Output, status core.Status, done func()) error {
	var p *pendingMark
	if n := len(s.free); n > 0 {
		p = s.free[n-1]
		s.free[n-1] = nil
		s.free = s.free[:n-1]
	} else {
		p = &pendingMark{s: s}
		p.written = p.durable
	}
	p.d, p.recovering, p.inFlight, p.done = s.rep.disk, status == core.StatusRecovering, true, done
	logTo := s.logEnd
	if !s.logEndSet {
		logTo = s.rep.core.Info().Op
	}
	s.logEndSet = false
	p.m = durableMark{set: true, hard: markOf(&out.HardState), logTo: logTo}
	err := p.d.st.Persist(out, status, p.written)
	if err != nil {
		s.r.storageFailed = true // the driver stops: see stopFailed
	}
	return err
}

// durable is the storage's callback: p's write is durable.
func (p *pendingMark) durable() {
	if !p.inFlight {
		panic("sim: the storage reported a write durable twice")
	}
	if !p.recovering {
		p.d.promised = p.m
	}
	done := p.done
	*p = pendingMark{s: p.s, written: p.written}
	p.s.free = append(p.s.free, p)
	done()
}

// checkResumed checks that a replica resuming from its disk holds what
// its storage last reported durable: the same promises or later ones (a
// view may go back, its last normal view and promised view never) and,
// in the same views (where a log only grows), at least the same log.
// Torn writes were never reported durable, so the real log may cut them;
// a cut of data a completed sync covered (review finding B) fails here.
func (r *run) checkResumed(rep *replica, d *core.Durable) {
	m, h := rep.disk.promised, markOf(&d.HardState)
	if !m.set {
		return
	}
	views := func(h markedHard) [3]uint64 { return [3]uint64{h.View, h.LastNormalView, h.PromisedView} }
	// A later epoch starts its views at 0 again (reconfig.go).
	lost := h.Epoch < m.hard.Epoch || h.Epoch == m.hard.Epoch &&
		(h.LastNormalView < m.hard.LastNormalView || h.PromisedView < m.hard.PromisedView ||
			(views(h) == views(m.hard) && d.LogBase+uint64(len(d.Log)) < m.logTo))
	if lost {
		r.violate(KindLostDurable, "replica %d resumed from its disk with epoch %d, views %v and log end %d; its storage had reported epoch %d, views %v and log end %d durable",
			rep.idx, h.Epoch, views(h), d.LogBase+uint64(len(d.Log)), m.hard.Epoch, views(m.hard), m.logTo)
	}
}

// diskWait is a barrier the storage issued and what waits for it. It
// starts when the wait before it completes (the disk flushes one at a
// time) and completes at its event.
type diskWait struct {
	barrier   uint64
	start, at int64
	dones     []func()
}

// dataDir is where a simulated replica keeps its data directory.
const dataDir = "/data"

// storageConfig is the storage configuration of rep: the simulated disk,
// the simulated clock, and a Wait that holds the driver's done until the
// disk's barriers complete.
func (r *run) storageConfig(rep *replica) storage.Config {
	cfg := storage.Config{
		FS: rep.disk.fs, Dir: dataDir, Logger: slog.New(slog.DiscardHandler),
		Owner: wal.Owner{Replica: uint64(rep.idx)}, SegmentSize: r.segSize,
		Preallocate: r.prepared, Background: func(job func()) { job() }, // in place: deterministic
		Now:     func() time.Time { return time.Unix(0, r.now*1000) },
		Wait:    func(done func()) { r.diskWait(rep, done) },
		Witness: r.isWitness(rep.idx),
		// At once, but through the path the node's discarder takes: the
		// log renames the segments it drops, and a crash may leave them.
		Discard: func(paths []string) {
			for _, p := range paths {
				_ = rep.disk.fs.Remove(p)
			}
		},
	}
	cfg.Plant(plant.Storage{TruncateBeforeCheckpoint: r.opts.TruncateBeforeCheckpoint,
		WAL: plant.WAL{IgnoreSyncRecords: r.opts.IgnoreSyncRecords, IgnoreIOErrors: r.opts.IgnoreIOErrors,
			ShortReadIsEnd: r.opts.ShortReadIsEnd, ZeroIsEnd: r.opts.ZeroIsEnd}})
	return cfg
}

// formatDisk gives rep a new disk holding the state of a cluster created
// by hand (normal in view 0, an empty log), durable: what `vr server`
// writes on a new member's first start.
func (r *run) formatDisk(rep *replica) {
	rep.disk = &disk{fs: newSimFS()}
	// A segment's records follow its header (and a group larger than
	// the segment size gets a segment alone: then the file grows).
	rep.disk.fs.newRoom = r.segSize + 1<<10
	st, _, err := storage.Open(r.storageConfig(rep))
	if err == nil {
		err = st.Persist(&core.Output{}, core.StatusNormal, func() {})
	}
	if err != nil {
		panic("sim: formatting a disk: " + err.Error())
	}
	rep.disk.fs.complete(rep.disk.fs.issued())
	rep.disk.waits, rep.disk.lastDone = nil, 0
	rep.disk.fs.faults = r.diskFaults(rep)
	rep.disk.st = st // the first incarnation runs on it
}

// restartDurable restarts rep through its storage, which decides, as for
// `vr server`, whether it resumes from its disk, recovers, or (a disk that
// never held a state) starts like a diskless replica. A disk that fails to
// open keeps the replica down until a later attempt; it reports false.
func (r *run) restartDurable(rep *replica) bool {
	r.rotDisk(rep)
	start, ok := r.openDisk(rep)
	if !ok {
		fc := &r.opts.Faults
		r.schedule(r.now+r.between(us(fc.MinDowntime), us(fc.MaxDowntime)), event{kind: evRestart, node: rep.idx, inc: rep.inc})
		return false
	}
	if start.Restart == nil {
		rep.disk.promised = durableMark{} // it recovers: it promises again
	}
	switch {
	case start.Restart != nil:
		r.checkResumed(rep, start.Restart)
		if err := r.bootFromDisk(rep, start.Restart); err != nil {
			// `vr server` exits when the replica cannot start (a read
			// of its checkpoint failed): it is restarted later.
			r.logf("replica %d cannot start from its disk: %v", rep.idx, err)
			_ = rep.disk.st.Close()
			rep.disk.st = nil
			fc := &r.opts.Faults
			r.schedule(r.now+r.between(us(fc.MinDowntime), us(fc.MaxDowntime)), event{kind: evRestart, node: rep.idx, inc: rep.inc})
			return false
		}
	case start.MustRecover:
		r.boot(rep, bootRecovering, nil)
	default:
		r.boot(rep, r.disklessRestartMode(rep), nil)
	}
	return true
}

// openDisk opens rep's storage for a new incarnation, as `vr server`
// does; ok is false if the disk failed (the replica stays down).
func (r *run) openDisk(rep *replica) (storage.Start, bool) {
	st, start, err := storage.Open(r.storageConfig(rep))
	if err != nil {
		r.logf("replica %d cannot open its data directory: %v", rep.idx, err)
		return start, false
	}
	// Damage stays counted until a restart finds it: a restart that reads
	// past it (a misdirected write into an old segment, say) leaves it
	// latent, and a later restart may still find it (seed 22537 of disk
	// lost a second replica's state that way, beyond f).
	rep.disk.st = st
	if start.MustRecover {
		rep.disk.damaged = false // found: the replica recovers, and counts as recovering
	}
	if start.MustRecover {
		r.logf("replica %d found its disk damaged: it recovers from its peers", rep.idx)
		r.res.Corruptions++
	}
	return start, true
}

// diskWait holds done until the barriers the storage issued so far
// complete, after a random latency (FIFO). An Output that wrote nothing
// is durable once the writes before it are (its messages may depend on
// them). Barriers issued while the disk flushes join the next flush if
// it has not started (group commit, as the node's log does: one fsync
// covers every group written while the previous one ran), so a slow disk
// delays a replica's messages by about two flushes, not by a queue that
// grows for as long as it is slow.
func (r *run) diskWait(rep *replica, done func()) {
	d := rep.disk
	b := d.fs.issued()
	switch n := len(d.waits); {
	case n > 0 && d.waits[n-1].barrier == b:
		d.waits[n-1].dones = append(d.waits[n-1].dones, done)
	case n > 0 && d.waits[n-1].start > r.now:
		w := &d.waits[n-1]
		w.barrier = b
		w.dones = append(w.dones, done)
		r.maybeCrashInCheckpoint(rep, w.at)
	case b > d.fs.completed:
		start := max(r.now, d.lastDone)
		at := start + r.diskLatency(rep)
		d.lastDone = at
		if rep.idx == r.slowDisk && !r.quiet {
			r.mon.markSlow(rep.idx, at) // its queue may outlast one write
		}
		dones := append(d.spareDones, done)
		d.spareDones = nil
		d.waits = append(d.waits, diskWait{barrier: b, start: start, at: at, dones: dones})
		r.schedule(at, event{kind: evDiskDone, node: rep.idx, inc: rep.inc})
		r.maybeCrashInCheckpoint(rep, at)
	default:
		done()
	}
}

// maybeCrashInCheckpoint now and then crashes every replica while rep
// writes a checkpoint whose barrier completes at at.
func (r *run) maybeCrashInCheckpoint(rep *replica, at int64) {
	if rep.disk.checkpointing && r.chance(r.opts.Faults.CrashInCheckpoint) {
		r.schedule(r.between(r.now, at), event{kind: evClusterCrash, node: oneShot})
	}
}

// diskDone completes rep's oldest wait and tells the driver, which sends
// what waited for it.
func (r *run) diskDone(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || len(rep.disk.waits) == 0 {
		return
	}
	if r.busy(rep) { // its loop is stuck in a slow step
		r.schedule(rep.busyUntil, e)
		return
	}
	d := rep.disk
	w := d.waits[0]
	d.waits = d.waits[:copy(d.waits, d.waits[1:])]
	if !r.quiet && r.chance(r.opts.Faults.FsyncLies) {
		rep.disk.fs.lie(w.barrier)
		r.res.FsyncLies++
	} else {
		rep.disk.fs.complete(w.barrier)
	}
	for _, done := range w.dones {
		done()
	}
	clear(w.dones) // nothing else holds them: the next wait reuses them
	d.spareDones = w.dones[:0]
}

// crashDisk is a power loss of rep's disk.
func (r *run) crashDisk(rep *replica) {
	d := rep.disk
	d.st, d.waits, d.lastDone = nil, nil, 0
	if d.fs.crash(r.rng, r.crashMidWrite) > 0 {
		r.res.TornWrites++
	}
}

// oneShot marks a cluster crash that does not schedule the next one.
const oneShot = 1

// clusterCrashEvent crashes every replica at once (durable mode only) and
// schedules each one's restart.
func (r *run) clusterCrashEvent(e event) {
	if r.quiet {
		return
	}
	fc := &r.opts.Faults
	if e.node != oneShot {
		r.schedule(r.now+max(1, int64(r.rng.ExpFloat64()*float64(us(fc.MeanClusterCrashGap)))), event{kind: evClusterCrash})
	}
	r.logf("cluster crash: every replica stops at once")
	r.crashMidWrite = e.node == oneShot // aimed into a checkpoint's write
	defer func() { r.crashMidWrite = false }()
	for _, rep := range r.replicas {
		if rep.up {
			r.crash(rep)
		}
		down := r.between(us(fc.MinDowntime), us(fc.MaxDowntime))
		r.schedule(r.now+down, event{kind: evRestart, node: rep.idx, inc: rep.inc})
	}
	r.res.ClusterCrashes++
}
