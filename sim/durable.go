package sim

import "github.com/vr-go/vr/core"

// persist queues out's durable part on rep's disk and holds its messages
// until the write completes ("persist, then send"). Messages with nothing
// to persist still wait behind earlier writes, since they may depend on
// them. It returns the messages that may leave now.
func (r *run) persist(rep *replica, out core.Output, sends []pendingSend) []pendingSend {
	d := rep.disk
	if rep.core.Info().Status == core.StatusRecovering && !d.queued {
		return sends // nothing durable yet: a restart recovers again
	}
	write := d.needsWrite(out)
	if !write && len(d.pending) == 0 {
		d.hard.Commit = out.HardState.Commit
		return sends
	}
	if !write && len(sends) == 0 {
		return nil
	}
	done := max(r.now, d.lastDone)
	if write {
		done += r.between(1, max(1, us(r.opts.Faults.DiskLatency)))
	}
	d.lastDone = done
	d.queued = d.queued || write
	w := diskWrite{done: done, records: recordsOf(out), hard: out.HardState, sends: sends}
	if r.opts.SendBeforeDurable {
		w.sends = nil
	}
	d.pending = append(d.pending, w)
	r.schedule(done, event{kind: evDiskDone, node: rep.idx, inc: rep.inc})
	if r.opts.SendBeforeDurable {
		return sends
	}
	return nil
}

// diskDone completes rep's oldest write and sends what waited for it.
func (r *run) diskDone(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || len(rep.disk.pending) == 0 {
		return
	}
	for _, s := range rep.disk.complete() {
		r.send(rep.idx, s.to, s.msg)
	}
}

// corruptDisk decides whether a restarting replica finds a corrupt record.
// It does only while enough other replicas can answer its recovery: a
// corrupt replica is one that lost its state, and at most f may.
func (r *run) corruptDisk(rep *replica) bool {
	return r.chance(r.opts.Faults.Corrupt) && r.downOrRecovering() < r.f
}

// clusterCrashEvent crashes every replica at once (durable mode only) and
// schedules each one's restart.
func (r *run) clusterCrashEvent() {
	if r.quiet {
		return
	}
	fc := r.opts.Faults
	r.schedule(r.now+max(1, int64(r.rng.ExpFloat64()*float64(us(fc.MeanClusterCrashGap)))), event{kind: evClusterCrash})
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
