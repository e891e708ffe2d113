package sim

import "github.com/vr-go/vr/core"

// simStorage is a replica's simulated disk as driver.Storage: each write
// completes after a random latency, and the driver holds the messages that
// depend on it until then ("persist, then send").
type simStorage struct {
	r   *run
	rep *replica
}

// Persist queues out's durable part on the disk. An Output with nothing
// to write is durable once the writes queued before it are (its messages
// may depend on them).
func (s simStorage) Persist(out core.Output, status core.Status, done func()) error {
	r, d := s.r, s.rep.disk
	if status == core.StatusRecovering && !d.queued {
		done() // nothing durable yet: a restart recovers again
		return nil
	}
	if r.opts.TruncateBeforeCheckpoint && out.Checkpoint != nil {
		d.dropped = max(d.dropped, out.Checkpoint.Op)
	}
	if !d.needsWrite(out) {
		if n := len(d.pending); n > 0 {
			d.pending[n-1].dones = append(d.pending[n-1].dones, done)
			return nil
		}
		d.hard.Commit = out.HardState.Commit
		done()
		return nil
	}
	s.queue(out, done)
	return nil
}

// queue adds one write group and schedules its completion.
func (s simStorage) queue(out core.Output, done func()) {
	r, rep, d := s.r, s.rep, s.rep.disk
	at := max(r.now, d.lastDone) + r.between(1, max(1, us(r.opts.Faults.DiskLatency)))
	d.lastDone = at
	d.queued = true
	d.pending = append(d.pending, diskWrite{done: at, records: recordsOf(out), hard: out.HardState,
		logBase: out.LogBase, dones: []func(){done}})
	r.schedule(at, event{kind: evDiskDone, node: rep.idx, inc: rep.inc})
}

// diskDone completes rep's oldest write and tells the driver, which sends
// what waited for it.
func (r *run) diskDone(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || len(rep.disk.pending) == 0 {
		return
	}
	if r.busy(rep) { // its loop is stuck in a slow step
		r.schedule(rep.busyUntil, e)
		return
	}
	for _, done := range rep.disk.complete() {
		done()
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
