package core

// timers holds the tick at which each kind of timer last fired or was reset.
type timers struct {
	viewTimeout   uint64 // jittered view-change timeout, in ticks
	backoff       uint   // view changes in a row that timed out; doubles the timeout
	lastContact   uint64 // backup: last tick it heard from its primary
	viewStarted   uint64 // view-change / recovery: tick the attempt began
	lastRetry     uint64 // tick of the last retransmission
	lastHeartbeat uint64 // primary: tick of the last message to backups
	// silent is set by a restart from disk: the replica has not heard from
	// any primary since, so it is not sticky (see heardFromPrimaryRecently).
	silent bool
}

// heardFromPrimary records contact with the primary of the current view.
func (r *Replica) heardFromPrimary() {
	r.timers.lastContact = r.now
	r.timers.silent = false
}

// maxBackoff caps the doubling of the view-change timeout (2^4 = 16x).
const maxBackoff = 4

// resetViewTimer draws a new jittered timeout in [base, 2*base), doubled for
// every view change in a row that timed out, and restarts the clock for
// suspecting the primary. The doubling keeps view changes whose messages
// take long (large logs, slow links) from being overtaken by the next one.
func (r *Replica) resetViewTimer() {
	base := r.cfg.ViewChangeTicks << min(r.timers.backoff, maxBackoff)
	r.timers.viewTimeout = uint64(base + r.rand.intn(base))
	r.timers.lastContact = r.now
	r.timers.viewStarted = r.now
	r.timers.lastRetry = r.now
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
