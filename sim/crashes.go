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
	if (r.downOrRecovering() >= r.f && !r.opts.Faults.BeyondF) || !r.anyUp() {
		return
	}
	x := r.pickTarget()
	if vc := r.inViewChange(); vc >= 0 && r.chance(r.opts.Faults.TargetViewChange) {
		x = vc
	}
	if !r.replicas[x].up {
		x = r.randomUp()
	}
	if !r.stateSurvives(x) {
		return // the state would rest on witnesses alone (witness.go)
	}
	if r.adm.initial > 0 && r.adm.busy && r.targetLagging(x) > r.targetFaults() {
		return // the epoch asked for would start beyond its threshold (reconfig.go)
	}
	rep := r.replicas[x]
	r.crash(rep)
	fc := &r.opts.Faults
	down := r.between(us(fc.MinDowntime), us(fc.MaxDowntime))
	r.schedule(r.now+down, event{kind: evRestart, node: x, inc: rep.inc})
}

// anyUp reports whether some replica is up (in a bootstrap run, none may
// have started yet).
func (r *run) anyUp() bool {
	for _, rep := range r.replicas {
		if rep.up {
			return true
		}
	}
	return false
}

// randomUp returns a random replica that is up (call anyUp first).
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
	r.releaseHeld()
	r.endEpisode()
	r.net.drop = nil
	r.logf("quiet: network healed")
	for _, rep := range r.replicas {
		switch {
		case rep.unborn:
			r.startUnborn(rep)
		case !rep.up:
			r.restart(rep)
		}
	}
	r.mon.update(r)
}

// inViewChange returns a random replica that is up and in view-change
// status, or -1.
func (r *run) inViewChange() int {
	start := r.rng.IntN(r.n)
	for k := 0; k < r.n; k++ {
		x := (start + k) % r.n
		if rep := r.replicas[x]; rep.up && rep.status == core.StatusViewChange {
			return x
		}
	}
	return -1
}
