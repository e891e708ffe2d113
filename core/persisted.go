package core

// outputMark records the log an Output carried: the view and op-number at
// the time, so that Persisted can tell which entries are durable.
type outputMark struct {
	seq, view, op uint64
}

// countOwnCopy counts the primary's own log towards the commit quorum: all
// of it in diskless mode, only what is durable with DurableAcks.
func (r *Replica) countOwnCopy() {
	if r.cfg.DurableAcks {
		return // Persisted counts it
	}
	r.primary.acked[r.index] = r.op()
	r.advanceCommit()
}

// markOutput remembers the log state of the Output being drained.
func (r *Replica) markOutput() uint64 {
	r.outputSeq++
	if r.cfg.DurableAcks && r.status == StatusNormal && r.isPrimary() {
		r.marks = append(r.marks, outputMark{seq: r.outputSeq, view: r.view, op: r.op()})
	}
	return r.outputSeq
}

// Persisted tells the replica that every Output up to seq is durable. The
// primary then counts its own copy of the entries those Outputs carried,
// which may commit them. It reports whether that changed anything; if so,
// call Output for what it produced.
func (r *Replica) Persisted(seq uint64) bool {
	if !r.cfg.DurableAcks {
		return false
	}
	durable := uint64(0)
	keep := r.marks[:0]
	for _, m := range r.marks {
		switch {
		case m.seq > seq:
			keep = append(keep, m)
		case m.view == r.view:
			durable = max(durable, m.op)
		}
	}
	r.marks = keep
	if r.status != StatusNormal || !r.isPrimary() || durable <= r.primary.acked[r.index] {
		return false
	}
	r.primary.acked[r.index] = min(durable, r.op())
	r.advanceCommit()
	r.assertInvariants()
	return true
}
