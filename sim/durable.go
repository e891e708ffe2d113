package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// persist queues out's durable part on rep's disk and holds its messages
// until the write completes ("persist, then send"). Messages with nothing
// to persist still wait behind earlier writes, since they may depend on
// them. Prepares leave at once: they promise nothing, and the primary
// counts its own copy only once Persisted reports it durable. It returns
// the messages that may leave now, and whether out is durable already.
func (r *run) persist(rep *replica, out core.Output, sends []pendingSend) ([]pendingSend, bool) {
	d := rep.disk
	if rep.core.Info().Status == core.StatusRecovering && !d.queued {
		return sends, false // nothing durable yet: a restart recovers again
	}
	if r.opts.TruncateBeforeCheckpoint && out.Checkpoint != nil {
		d.dropped = max(d.dropped, out.Checkpoint.Op)
	}
	write := d.needsWrite(out)
	if !write && len(d.pending) == 0 {
		d.hard.Commit = out.HardState.Commit
		return sends, true
	}
	early, held := splitPrepares(sends, r.opts.SendBeforeDurable)
	if !write && len(held) == 0 && len(d.pending) > 0 {
		// Nothing to hold, but its durability follows the queued writes.
		d.pending[len(d.pending)-1].seq = out.Seq
		return early, false
	}
	done := max(r.now, d.lastDone)
	if write {
		done += r.between(1, max(1, us(r.opts.Faults.DiskLatency)))
	}
	d.lastDone = done
	d.queued = d.queued || write
	w := diskWrite{done: done, records: recordsOf(out), hard: out.HardState, sends: held, seq: out.Seq,
		ckpt: out.Checkpoint, logBase: out.LogBase}
	d.pending = append(d.pending, w)
	r.schedule(done, event{kind: evDiskDone, node: rep.idx, inc: rep.inc})
	if out.Checkpoint != nil && r.chance(r.opts.Faults.CrashInCheckpoint) {
		// A crash of every replica while this checkpoint is written.
		r.schedule(r.between(r.now, done), event{kind: evClusterCrash, node: oneShot})
	}
	return early, false
}

// splitPrepares separates the Prepares, which may leave before the write,
// from the rest. With the planted bug, everything leaves early.
func splitPrepares(sends []pendingSend, bug bool) (early, held []pendingSend) {
	if bug {
		return sends, nil
	}
	for _, s := range sends {
		if _, ok := s.msg.(*message.Prepare); ok {
			early = append(early, s)
		} else {
			held = append(held, s)
		}
	}
	return early, held
}

// diskDone completes rep's oldest write, sends what waited for it and
// tells the core what is durable now.
func (r *run) diskDone(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || len(rep.disk.pending) == 0 {
		return
	}
	seq := rep.disk.pending[0].seq
	for _, s := range rep.disk.complete() {
		r.send(rep.idx, s.to, s.msg)
	}
	if rep.core.Persisted(seq) {
		r.afterStep(rep)
	}
}

// corruptDisk decides whether a restarting replica finds a corrupt record.
// It does only while enough other replicas can answer its recovery: a
// corrupt replica is one that lost its state, and at most f may.
func (r *run) corruptDisk(rep *replica) bool {
	return r.chance(r.opts.Faults.Corrupt) && r.downOrRecovering() < r.f
}

// oneShot marks a cluster crash that does not schedule the next one.
const oneShot = 1

// clusterCrashEvent crashes every replica at once (durable mode only) and
// schedules each one's restart.
func (r *run) clusterCrashEvent(e event) {
	if r.quiet {
		return
	}
	fc := r.opts.Faults
	if e.node != oneShot {
		r.schedule(r.now+max(1, int64(r.rng.ExpFloat64()*float64(us(fc.MeanClusterCrashGap)))), event{kind: evClusterCrash})
	}
	r.logf("cluster crash: every replica stops at once")
	for _, rep := range r.replicas {
		if rep.up {
			r.crash(rep)
		}
		down := r.between(us(fc.MinDowntime), us(fc.MaxDowntime))
		r.schedule(r.now+down, event{kind: evRestart, node: rep.idx, inc: rep.inc})
	}
	r.res.ClusterCrashes++
}
