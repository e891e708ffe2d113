package sim

import "github.com/vr-go/vr/core"

const statusNormal = core.StatusNormal

// crashGap draws the time to the next crash attempt (exponential).
func (r *run) crashGap() int64 {
	return max(1, int64(r.rng.ExpFloat64()*float64(us(r.opts.Faults.MeanCrashGap))))
}

// crashEvent crashes a replica if fewer than f are down or recovering, and
// schedules its restart and the next attempt.
func (r *run) crashEvent() {
	if r.quiet {
		return
	}
	r.schedule(r.now+r.crashGap(), event{kind: evCrash})
	if r.downOrRecovering() >= r.f {
		return
	}
	x := r.pickTarget()
	if !r.replicas[x].up {
		x = r.randomUp()
	}
	rep := r.replicas[x]
	r.crash(rep)
	fc := r.opts.Faults
	down := r.between(us(fc.MinDowntime), us(fc.MaxDowntime))
	r.schedule(r.now+down, event{kind: evRestart, node: x, inc: rep.inc})
}

// randomUp returns a random replica that is up (one always is: at most f
// are down).
func (r *run) randomUp() int {
	for {
		if x := r.rng.IntN(r.n); r.replicas[x].up {
			return x
		}
	}
}

// restartEvent restarts a crashed replica unless it was restarted already.
func (r *run) restartEvent(e event) {
	rep := r.replicas[e.node]
	if rep.up || rep.inc != e.inc {
		return
	}
	r.restart(rep)
}

// beginQuiet ends the fault phase: the network heals and every crashed
// replica restarts.
func (r *run) beginQuiet() {
	r.quiet = true
	r.net.st = r.net.clean()
	r.net.drop = nil
	r.logf("quiet: network healed")
	for _, rep := range r.replicas {
		if !rep.up {
			r.restart(rep)
		}
	}
	r.mon.update(r)
}
