package core

// Late execution at backups. A backup learns the commit-number from its
// primary's Prepare or Commit; executing up to it in the same step put the
// state machine's work for a whole batch between the Prepare's arrival
// and the PrepareOK it answers, on the critical path of the next commit
// (the primary waits for that PrepareOK). The backup now only records the
// commit-number there; the driver calls ExecuteCommitted once the Output
// that carries the PrepareOK has been sent, and any other input executes
// first what is due, so that nothing else ever sees the lag.

// learnCommitLater is learnCommit without the execution, which waits for
// ExecuteCommitted or the next input.
func (r *Replica) learnCommitLater(c uint64) {
	if c > r.op() {
		r.requestMissing(c)
		c = r.op()
	}
	if c > r.commit {
		r.commit = c
		r.execDue = true
	}
}

// executeDue executes what learnCommitLater left.
func (r *Replica) executeDue() {
	if r.execDue {
		r.execDue = false
		r.execute()
	}
}

// ExecuteCommitted executes the committed entries that a Prepare or
// Commit left for after the Output carrying the acknowledgement. It
// reports whether that produced anything (executed entries, a checkpoint):
// if so, call Output for it.
func (r *Replica) ExecuteCommitted() bool {
	if !r.execDue {
		return false
	}
	applied := len(r.out.Applied)
	ckpt := r.out.Checkpoint
	r.executeDue()
	r.assertInvariants()
	return len(r.out.Applied) != applied || r.out.Checkpoint != ckpt
}
