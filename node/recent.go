package node

import (
	"slices"
	"time"
)

// recentSize bounds the latencies kept for the status page.
const recentSize = 1024

// recentLatencies is a ring of the latest request latencies, for the
// status page's live percentiles (Prometheus has the full histogram).
type recentLatencies struct {
	at   [recentSize]time.Time
	d    [recentSize]time.Duration
	next int
}

func (r *recentLatencies) add(at time.Time, d time.Duration) {
	r.at[r.next], r.d[r.next] = at, d
	r.next = (r.next + 1) % recentSize
}

// percentiles returns the median and 99th percentile of the latencies
// recorded since since, and how many there were.
func (r *recentLatencies) percentiles(since time.Time) (p50, p99 time.Duration, n int) {
	var ds []time.Duration
	for i, at := range r.at {
		if !at.IsZero() && !at.Before(since) {
			ds = append(ds, r.d[i])
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	return ds[(len(ds)-1)/2], ds[(len(ds)-1)*99/100], len(ds)
}

// latencyWindow is how far back the status page's percentiles look.
const latencyWindow = 5 * time.Second

// recentPercentiles reads the ring under the metrics lock.
func (m *metrics) recentPercentiles() (p50, p99 time.Duration, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recent.percentiles(time.Now().Add(-latencyWindow))
}
