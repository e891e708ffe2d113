package core

import "fmt"

// CheckInvariants panics if the replica's state is impossible. Step and Tick
// run it after every input; tests may call it too.
func (r *Replica) CheckInvariants() { r.assertInvariants() }

// assertInvariants panics if the replica's state is impossible. It runs
// after every input and again at every checked step of the simulator, so
// it is kept cheap: the witness and standby rules share the primary they
// read, each topic's rules are a predicate that inlines here (its report,
// which formats the panic, is called only when one is broken), and the
// rules report through a method, not a closure made at every call.
func (r *Replica) assertInvariants() {
	if !(r.executed <= r.commit && r.base <= r.commit && r.commit <= r.op()) {
		r.invariantFailed("executed %d, base %d <= commit %d <= op %d", r.executed, r.base, r.commit, r.op())
	}
	if r.ckpt.Op > r.executed || r.saved[0] > r.ckpt.Op || (r.saved[1] != 0 && r.saved[1] >= r.saved[0]) {
		r.invariantFailed("checkpoint at %d, saved %v, executed %d", r.ckpt.Op, r.saved, r.executed)
	}
	if r.logBytes > r.cfg.logLimit() || r.logBytes < 0 {
		r.invariantFailed("log of %d bytes outside its bound %d", r.logBytes, r.cfg.logLimit())
	}
	r.checkEarly()
	if r.status == StatusTransitioning || r.status == StatusRetired || r.index < 0 {
		if r.epochRulesBroken() {
			r.reportEpochRules()
		}
		return
	}
	p := r.primaryOf(r.view) // read by the witness, standby and primary rules
	if r.witnessRulesBroken(p) {
		r.reportWitnessRules(p)
	}
	if r.standbyRulesBroken(p) {
		r.reportStandbyRules(p)
	}
	if r.epochRulesBroken() {
		r.reportEpochRules()
	}
	if r.status == StatusRecovering {
		return
	}
	if !(r.lastNormalView <= r.promisedView && r.promisedView <= r.view) {
		r.invariantFailed("last-normal-view %d <= promised %d <= view %d", r.lastNormalView, r.promisedView, r.view)
	}
	if r.view > r.announcedView {
		r.invariantFailed("view %d above announced view %d", r.view, r.announcedView)
	}
	if r.status == StatusNormal && r.lastNormalView != r.view {
		r.invariantFailed("normal in view %d with last-normal-view %d", r.view, r.lastNormalView)
	}
	if r.sessions.len() > r.cfg.MaxSessions {
		r.invariantFailed("%d sessions above the bound %d", r.sessions.len(), r.cfg.MaxSessions)
	}
	if n := len(r.log); n > 0 && (r.log[0].Op != r.base+1 || r.log[n-1].Op != r.op()) {
		r.invariantFailed("log holds ops %d..%d after base %d with %d entries", r.log[0].Op, r.log[n-1].Op, r.base, n)
	}
	if r.status == StatusNormal && p == r.index { // isPrimary (r.index >= 0 here)
		if a := r.primary.acked[r.index]; a > r.op() || (!r.cfg.DurableAcks && a != r.op()) {
			r.invariantFailed("primary acked %d but op %d", a, r.op())
		}
	}
}

// invariantFailed panics with the broken invariant.
func (r *Replica) invariantFailed(format string, args ...any) {
	panic(fmt.Sprintf("core: replica %d invariant: ", r.index) + fmt.Sprintf(format, args...))
}
