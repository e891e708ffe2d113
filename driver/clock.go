package driver

import "time"

// Clock turns elapsed time on a replica's clock into core ticks. Before the
// driver handles any input it gives the core every tick period that passed,
// so that a process that was paused (SIGSTOP, a long GC pause, a slow disk)
// does not resume believing that less time passed than did. Read leases
// depend on it: a primary whose clock lagged would trust a lease that its
// backups no longer honor. (Go's tickers drop ticks when the receiver is
// late, so counting ticker fires would lag.)
type Clock struct {
	period time.Duration
	ticked int64 // ticks given to the core so far
	// maxBurst bounds the ticks given at once after a long pause; the rest
	// are skipped. Every timer and lease of the core is shorter than it,
	// so skipping only ever makes a backup keep its lease promise longer.
	maxBurst int64
}

// NewClock returns a clock of one tick per period; viewChangeTicks sizes
// the largest burst.
func NewClock(period time.Duration, viewChangeTicks int) Clock {
	return Clock{period: period, maxBurst: int64(max(64*viewChangeTicks, 1000))}
}

// Due returns how many ticks to give the core when elapsed time has passed
// since the clock started. Elapsed never goes backwards on a monotonic
// clock; if it does, nothing is due.
func (c *Clock) Due(elapsed time.Duration) int64 {
	want := int64(elapsed / c.period)
	behind := want - c.ticked
	if behind <= 0 {
		return 0
	}
	c.ticked = want
	return min(behind, c.maxBurst)
}
