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
// heap, so fewer of them cost less CPU for the same runs (a `durable`
// seed: 58.0 instead of 65.6 M instructions; docs/testing.md,
// "Simulator speed"). What is simulated does not change: a run never
// reads the collector's state.
const (
	simGCPercent = 400
	// simMemPerWorker is a soft limit on the heap of each worker: the
	// runtime collects sooner near it. It only guards against a run with
	// a live heap far larger than any profile's: one worker of
	// `bandwidth` is 350 MB resident under GOGC=100 (700 MB under 400), and
	// a limit under its live heap makes the collector run all the time
	// (at 128 MiB it took 1.5 times the CPU per seed). For `large` and
	// `bandwidth` the setting saves nothing: their cost is copying large
	// values, and fewer collections of a large heap cost more page faults.
	simMemPerWorker = 1 << 30
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
