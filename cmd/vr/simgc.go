package main

import (
	"math"
	"os"
	"runtime/debug"
)

// Garbage collection for `vr sim --seeds`: the runs are single-threaded
// and allocate fast on a small live heap (2–6 MB a run, most of it
// short-lived), so the default GOGC=100 collects every few MB; a seed of
// `durable` ran about two collections. A collection costs about the live
// heap, so fewer of them cost less CPU for the same runs: GOGC=400
// collected about 11% fewer instructions' worth of work per `durable`
// seed (docs/testing.md, "Simulator speed"). What is simulated does not
// change: a run never reads the collector's state.
const (
	simGCPercent = 400
	// simMemPerWorker bounds the heap a worker may hold between
	// collections (a soft limit: the runtime collects sooner near it),
	// so the profile `large`, whose live heap is tens of MB a run, does
	// not grow 5-fold: with 2 workers it peaked at 500 MB resident and
	// spent twice the system time faulting pages in under 256 MiB a
	// worker, and as under the default (about 270 MB) with 128 MiB.
	simMemPerWorker = 128 << 20
)

// tuneSimGC sets the collector for a run of workers simulations, unless
// GOGC or GOMEMLIMIT says otherwise, and returns what puts it back.
func tuneSimGC(workers int) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := int64(math.MaxInt64)
	if workers > 0 && workers < math.MaxInt64/simMemPerWorker {
		limit = int64(workers) * simMemPerWorker
	}
	percent := debug.SetGCPercent(simGCPercent)
	memLimit := debug.SetMemoryLimit(limit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(memLimit)
	}
}
