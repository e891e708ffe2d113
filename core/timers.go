package core

// timers holds the tick at which each kind of timer last fired or was reset.
type timers struct {
	viewTimeout   uint64 // jittered view-change timeout, in ticks
	drawnShift    uint   // the doubling viewTimeout was drawn with (min(backoff, maxBackoff))
	backoff       uint   // views in a row that did not prove themselves; doubles the timeout
	proven        bool   // the current view proved itself here (viewProven)
	lastContact   uint64 // backup: last tick it heard from its primary
	viewStarted   uint64 // view-change / recovery: tick the attempt began
	lastRetry     uint64 // tick of the last retransmission
	lastHeartbeat uint64 // primary: tick of the last message to backups
	enteredAtOp   uint64 // the op number with which the current view began here
	// silent is set by a restart from disk: the replica has not heard from
	// any primary since, so it is not sticky (see heardFromPrimaryRecently).
	silent bool
	// lost: the connection with the primary of the view in force ended
	// at tick lostAt (PeerLost), and nothing was heard from it since;
	// cleared when the replica enters or starts another view.
	lost   bool
	lostAt uint64
}

// heardFromPrimary records contact with the primary of the current view.
func (r *Replica) heardFromPrimary() {
	r.timers.lastContact = r.now
	r.timers.silent = false
	r.timers.lost = false
}

// PeerLost tells the replica that its connection with replica i ended:
// the transport saw it close (a killed process's sockets close at once).
// It is a hint, not a proof, that i crashed. A backup that loses its
// primary this way suspects it after lostGrace ticks in which it hears
// nothing from it, instead of after its whole view-change timeout (0.5 to
// 1 s by default): a view change after a primary's crash then takes a
// few hundred milliseconds less. A primary that is alive connects again
// and is heard within the grace (an idle one sends a Commit every
// HeartbeatTicks), which cancels the hint. A view change is safe at any
// time, so a wrong hint costs only a view change; the transport delivers
// the hint after every message the connection carried, so that those do
// not cancel it. Other replicas ignore it.
func (r *Replica) PeerLost(i int) {
	if r.status != StatusNormal || r.isPrimary() || i != r.primaryOf(r.view) || r.cfg.bugs.IgnorePeerLost {
		return
	}
	r.timers.lost, r.timers.lostAt = true, r.now
}

// lostGrace is how long a backup waits to hear from a primary whose
// connection ended before it suspects it: two heartbeats, below the
// view-change timeout.
func (r *Replica) lostGrace() uint64 {
	return uint64(min(2*r.cfg.HeartbeatTicks, r.cfg.ViewChangeTicks))
}

// primaryLost reports whether the primary's connection ended more than
// the grace ago in this view, with nothing heard from it since.
func (r *Replica) primaryLost() bool {
	t := &r.timers
	return t.lost && r.now-t.lostAt >= r.lostGrace()
}

// maxBackoff caps the doubling of the view-change timeout (2^4 = 16x).
const maxBackoff = 4

// resetViewTimer draws a new jittered timeout in [base, 2*base), doubled for
// every view in a row that did not prove itself, and restarts the clock for
// suspecting the primary. The doubling keeps view changes whose messages
// take long (large logs, slow links) from being overtaken by the next one.
func (r *Replica) resetViewTimer() {
	r.timers.drawnShift = min(r.timers.backoff, maxBackoff)
	base := r.cfg.ViewChangeTicks << r.timers.drawnShift
	r.timers.viewTimeout = uint64(base + r.rand.intn(base))
	r.timers.lastContact = r.now
	r.timers.viewStarted = r.now
	r.timers.lastRetry = r.now
	r.timers.lost = false // about the connection of a view no longer in force
}

// retryDue reports whether RetryTicks passed since the last retransmission
// and, if so, restarts that clock.
func (r *Replica) retryDue() bool {
	if r.now-r.timers.lastRetry < uint64(r.cfg.RetryTicks) {
		return false
	}
	r.timers.lastRetry = r.now
	return true
}

// heardFromPrimaryRecently is the stickiness test: a backup that heard from
// its primary within the base timeout does not join a view change started by
// others.
func (r *Replica) heardFromPrimaryRecently() bool {
	return !r.timers.silent && r.now-r.timers.lastContact < uint64(r.cfg.ViewChangeTicks)
}

// viewProven ends the doubling of the view-change timeout: the current
// view works end to end. A view counts as proven at its primary once f
// backups acknowledged in it, and at a backup once the primary's Prepare
// or Commit says it committed the op the view began with (which needs f
// acknowledgements in the view). Entering a view is not enough:
// with large logs the StartView and the primary's first heartbeats can
// queue behind megabytes of older view-change messages, and a timeout
// reset to the base at every new view made views thrash under load (see
// docs/protocol.md, "View-change timeouts").
//
// The timeout of the view that proved itself was drawn doubled too: it
// goes back to the base at once (scaled back by its doubling, which keeps
// its jitter and draws no random number). Kept doubled until the next
// view, a backup that entered a working view after four failed ones
// suspected its primary only 1.6 to 3.2 s after it crashed (10 ms ticks;
// simulator seed 1296 of profile all).
func (r *Replica) viewProven() {
	r.timers.backoff = 0
	r.timers.proven = true
	if !r.cfg.bugs.ProvenViewKeepsTimeout {
		r.timers.viewTimeout >>= r.timers.drawnShift
		r.timers.drawnShift = 0
	}
}

// leaveView is called as a replica moves on to a view change for a higher
// view: the view it leaves failed unless it proved itself, and every
// failed view in a row doubles the next timeout, whether this replica's
// own view change timed out or others drew it into the next view. (Until
// this was counted, a replica drawn into each view by the others' timeouts
// kept the base timeout, and in a view change of two replicas whose
// messages take long, it timed out just before its StartView arrived.)
func (r *Replica) leaveView() {
	if !r.timers.proven && !r.cfg.bugs.ViewTimerIgnoresProgress {
		r.timers.backoff = min(r.timers.backoff+1, maxBackoff)
	}
	r.timers.proven = false
}

// viewChangeProgressed restarts the clock of the current view-change
// attempt: something shows it is still under way (a DoViewChange or a
// StartView known to be on its way), so it has not failed. See
// docs/protocol.md, "View change", departure 7.
func (r *Replica) viewChangeProgressed() {
	if r.status == StatusViewChange && !r.cfg.bugs.ViewTimerIgnoresProgress {
		r.timers.viewStarted = r.now
	}
}

// proveViewAtBackup calls viewProven once the primary committed the op
// this backup entered the view with.
func (r *Replica) proveViewAtBackup() {
	if r.status == StatusNormal && r.commit >= r.timers.enteredAtOp {
		r.viewProven()
	}
}
