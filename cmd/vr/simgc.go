package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// Garbage collection for `vr sim --seeds`: the runs are single-threaded
// and allocate fast on a small live heap (1–2 MB for most profiles: most
// of what a run allocates is short-lived), so the default GOGC=100
// collects every 4 MB. A collection costs about the live heap plus a
// fixed part, so fewer of them cost less CPU for the same runs: at
// GOGC=400 (`vr sim`'s setting before) a `durable` seed counted 50.1 M
// instructions, with the ballast below 48.1, with the collector off 47.0
// (docs/testing.md, "Simulator speed").
//
// A higher GOGC helps the profiles with small live heaps but not those
// with large ones (`bandwidth`, 100–180 MB a worker; `large`, 40–70 MB):
// their cost is copying large values, and a heap grown several times
// larger costs page faults and memory (a `large` worker at GOGC=1600 is
// 1 GB resident, against 470 MB at 400). So `vr sim` keeps GOGC=400 and
// holds a ballast, a block of simBallastPerWorker a worker that the
// collector counts as live: the heap may then grow to about 5 × (live +
// ballast), at least 60 MiB a worker however small the live heap, and
// only 60 MiB more than at GOGC=400 alone when it is large. The ballast
// holds no pointers (marking it is one object) and is never written, so
// its pages are not resident. What is simulated does not change: a run
// never reads the collector's state.
const (
	simGCPercent = 400
	// simBallastPerWorker is the ballast a worker: 12 MiB lets a small
	// heap grow to 60 MiB between collections at GOGC=400.
	simBallastPerWorker = 12 << 20
	// simMemPerWorker is a soft limit on the heap of each worker: the
	// runtime collects sooner near it. It only guards against a run with
	// a live heap far larger than any profile's: one worker of
	// `bandwidth` is 350 MB resident under GOGC=100 (850 MB under 400), and
	// a limit under its live heap makes the collector run all the time
	// (at 128 MiB it took 1.5 times the CPU per seed).
	simMemPerWorker = 1 << 30
)

// tuneSimGC sets the collector for a run of workers simulations, unless
// GOGC or GOMEMLIMIT says otherwise, and returns what puts it back.
func tuneSimGC(workers int) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	workers = max(workers, 1)
	limit := int64(math.MaxInt64)
	if workers < math.MaxInt64/simMemPerWorker {
		limit = int64(workers) * simMemPerWorker
	}
	var ballast []byte
	if workers <= math.MaxInt/simBallastPerWorker {
		ballast = make([]byte, workers*simBallastPerWorker)
	}
	percent := debug.SetGCPercent(simGCPercent)
	memLimit := debug.SetMemoryLimit(limit)
	return func() {
		runtime.KeepAlive(ballast) // live until the run's end
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(memLimit)
	}
}
