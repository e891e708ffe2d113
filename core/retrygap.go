package core

// retryGap spaces out the retransmissions of one large message (a
// Prepare with the entries a backup has not acknowledged, a DoViewChange
// with the whole log): each retransmission without progress doubles the
// wait before the next, up to the base view-change timeout. Sent every
// RetryTicks, a message that takes longer than that to cross its link
// (megabytes on a loaded or slow link) queued copy behind copy: the
// queue grew without bound, the next view's first messages waited behind
// it, and views thrashed (simulator profile bandwidth, docs/protocol.md
// "Retransmissions").
type retryGap struct {
	next uint64 // tick at which the next retransmission is due
	gap  uint64 // ticks from that one to the one after
}

// restart makes the first retransmission due base ticks after now.
func (g *retryGap) restart(now, base uint64) {
	g.next, g.gap = now+base, base
}

// due reports whether a retransmission is due at now and, if so, doubles
// the gap (at most limit) and schedules the next.
func (g *retryGap) due(now, limit uint64) bool {
	if now < g.next {
		return false
	}
	g.gap = min(2*g.gap, max(limit, 1))
	g.next = now + g.gap
	return true
}

// restartRetry restarts g at the replica's retry period.
func (r *Replica) restartRetry(g *retryGap) { g.restart(r.now, uint64(r.cfg.RetryTicks)) }

// retryAgain reports whether g's retransmission is due, doubling its gap
// up to the base view-change timeout.
func (r *Replica) retryAgain(g *retryGap) bool {
	if r.cfg.bugs.RetransmitEveryRetry {
		return true
	}
	return g.due(r.now, uint64(r.cfg.ViewChangeTicks))
}
