package node

import "time"

// tickClock feeds the core its logical clock from the monotonic wall
// clock. Before the node handles any input it makes up for every tick
// period that passed, so that a process that was paused (SIGSTOP, a long
// GC pause, a slow disk) does not resume believing that less time passed
// than did. Read leases depend on it: a primary whose clock lagged would
// trust a lease that its backups no longer honor. Go's tickers drop ticks
// when the receiver is late, so counting ticker fires would lag.
type tickClock struct {
	start  time.Time
	period time.Duration
	ticked int64 // ticks given to the core so far
	// maxBurst bounds the ticks given at once after a long pause; the rest
	// are skipped. Every timer and lease of the core is shorter than it,
	// so skipping only ever makes a backup keep its lease promise longer.
	maxBurst int64
}

func newTickClock(period time.Duration, viewChangeTicks int) tickClock {
	return tickClock{start: time.Now(), period: period, maxBurst: int64(max(64*viewChangeTicks, 1000))}
}

// due returns how many ticks to give the core now.
func (c *tickClock) due(now time.Time) int64 {
	want := int64(now.Sub(c.start) / c.period)
	behind := want - c.ticked
	if behind <= 0 {
		return 0
	}
	c.ticked = want
	return min(behind, c.maxBurst)
}

// catchUp ticks the replica for the time that passed.
func (n *Node) catchUp() {
	for range n.clock.due(time.Now()) {
		n.replica.Tick()
	}
}
