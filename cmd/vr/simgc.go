package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Garbage collection for `vr sim --seeds`: the runs are single-threaded
// and allocate fast on a small live heap (about 1 MB for `durable`, most
// of what a run allocates is short-lived), so the default GOGC=100
// collects every 4 MB. A collection costs about the live heap plus a
// fixed part, so fewer of them cost less CPU for the same runs; with a
// heap of 64 MB a worker the collector's share of a `durable` seed is
// almost nothing (47.4 M instructions per seed against 47.0 with the
// collector off, 50.1 at GOGC=400; docs/testing.md, "Simulator speed").
//
// The profiles with large live heaps (`bandwidth`, 100–180 MB; `large`,
// 40–70 MB) do not gain from it: their cost is copying large values, and
// a heap grown to the limit costs page faults and memory (a `large` worker
// at GOGC=1600 is 1 GB resident, against 430 MB at 400). So the setting
// follows the live heap: after every collection, GOGC is set so that the
// heap may grow to simHeapPerWorker a worker, between simGCPercentMin and
// simGCPercentMax. What is simulated does not change: a run never reads
// the collector's state.
const (
	// simHeapPerWorker is the heap a worker may grow to before a
	// collection while its live heap is small.
	simHeapPerWorker = 64 << 20
	// simGCPercentMax is GOGC while the live heap is small (under about
	// simHeapPerWorker/17): 64 MiB the runtime's least heap at this value.
	simGCPercentMax = 1600
	// simGCPercentMin is GOGC for a large live heap (over about
	// simHeapPerWorker/5), as `vr sim` had for every profile before.
	simGCPercentMin = 400
	// simMemPerWorker is a soft limit on the heap of each worker: the
	// runtime collects sooner near it. It only guards against a run with
	// a live heap far larger than any profile's: one worker of
	// `bandwidth` is 350 MB resident under GOGC=100 (850 MB under 400), and
	// a limit under its live heap makes the collector run all the time
	// (at 128 MiB it took 1.5 times the CPU per seed).
	simMemPerWorker = 1 << 30
)

// gcPercentFor returns the GOGC that lets a heap with live bytes live
// after a collection grow to workers × simHeapPerWorker, within
// [simGCPercentMin, simGCPercentMax].
func gcPercentFor(live uint64, workers int) int {
	if live == 0 {
		return simGCPercentMax
	}
	target := float64(workers) * simHeapPerWorker
	p := 100*target/float64(live) - 100
	return int(math.Max(simGCPercentMin, math.Min(simGCPercentMax, p)))
}

// simGC is the collector's setting during a run of seeds: it sets GOGC
// again after every collection, from a cleanup on an object that each
// collection frees, until stop.
type simGC struct {
	workers int
	mu      sync.Mutex // orders adjust against stop
	stopped bool
	percent int // GOGC now
	live    []metrics.Sample

	oldPercent int   // GOGC before start
	oldLimit   int64 // memory limit before start
}

// gcSentinel is the object whose cleanup runs after a collection: large
// enough that the runtime does not batch it with other tiny objects.
type gcSentinel struct{ _ [32]byte }

// tuneSimGC sets the collector for a run of workers simulations, unless
// GOGC or GOMEMLIMIT says otherwise, and returns what puts it back.
func tuneSimGC(workers int) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	return startSimGC(workers).stop
}

// startSimGC sets the collector for workers simulations until stop.
func startSimGC(workers int) *simGC {
	workers = max(workers, 1)
	limit := int64(math.MaxInt64)
	if workers < math.MaxInt64/simMemPerWorker {
		limit = int64(workers) * simMemPerWorker
	}
	g := &simGC{
		workers: workers,
		percent: simGCPercentMax,
		live:    []metrics.Sample{{Name: "/gc/heap/live:bytes"}},
	}
	g.oldPercent = debug.SetGCPercent(g.percent)
	g.oldLimit = debug.SetMemoryLimit(limit)
	g.arm()
	return g
}

// stop puts back the setting from before start; a cleanup that runs
// after it changes nothing.
func (g *simGC) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		panic("simGC: stopped twice")
	}
	g.stopped = true
	debug.SetGCPercent(g.oldPercent)
	debug.SetMemoryLimit(g.oldLimit)
}

// arm registers the cleanup that adjusts the setting after the next
// collection.
func (g *simGC) arm() {
	runtime.AddCleanup(new(gcSentinel), (*simGC).adjust, g)
}

// adjust sets GOGC for the live heap the last collection left, and arms
// itself for the next one.
func (g *simGC) adjust() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	metrics.Read(g.live)
	if g.live[0].Value.Kind() == metrics.KindUint64 {
		if p := gcPercentFor(g.live[0].Value.Uint64(), g.workers); p != g.percent {
			g.percent = p
			debug.SetGCPercent(p)
		}
	}
	g.arm()
}
