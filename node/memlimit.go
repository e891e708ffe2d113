package node

import (
	"log/slog"
	"os"
	"runtime/debug"
	rtmetrics "runtime/metrics"
)

// The memory limit. Go's collector lets the heap grow to twice the live
// heap by default (GOGC=100): with a GiB of state that is a GiB of
// headroom on top, and a replica at 1M keys of 1 KiB peaked at 2.2–2.55 GB
// resident, above the budget of 2 × data + 256 MB (issue 10; benchmarks.md,
// "Why views changed, and what changed"). A soft limit
// (runtime/debug.SetMemoryLimit) makes the collector run harder as the
// heap nears it instead.
//
// Config.MemoryLimit sets it in bytes; MemoryLimitFromState derives it
// from the state: 2 × the state machine's data bytes + memoryHeadroom,
// never below minMemoryLimit, following the state as it grows or shrinks;
// 0 leaves Go's setting alone. A GOMEMLIMIT in the environment always
// wins.

const (
	// memoryHeadroom is what the derived limit allows beyond twice the
	// data: the 256 MB less a margin for memory the runtime does
	// not count against the limit.
	memoryHeadroom = 128 << 20
	// minMemoryLimit is the least derived limit: below it a small state
	// would make the collector run for every few MB of requests.
	minMemoryLimit = 512 << 20
)

// sizer is a state machine that knows its data size (kv.Store).
type sizer interface{ Size() int64 }

// memLimit keeps the process's soft memory limit in step with the state.
type memLimit struct {
	fixed int64 // Config.MemoryLimit
	set   int64 // the limit last set (0: none)
	sm    sizer // nil: nothing to derive from
	size  int64 // the state's size when update last read it
	log   *slog.Logger
}

// newMemLimit applies a fixed limit at once; a derived one follows update.
// It does nothing when GOMEMLIMIT is set or the limit is off.
func newMemLimit(fixed int64, sm any, log *slog.Logger) *memLimit {
	m := &memLimit{fixed: fixed, log: log}
	if _, env := os.LookupEnv("GOMEMLIMIT"); env || fixed == 0 {
		return m
	}
	if fixed > 0 {
		m.apply(fixed)
		return m
	}
	m.sm, _ = sm.(sizer)
	m.update(false)
	return m
}

// derived is the limit for a state of size bytes whose heap held live
// bytes after the last collection: 2 × size + memoryHeadroom, at least
// minMemoryLimit, and never below liveFloor × live. The floor matters
// while the heap holds more than the state: a replica that fetches a
// checkpoint assembles it in memory and restores it beside its old state
// (about three times the data for a moment). Measured without the floor
// (diskless, 1M keys): the lagging backup's heap sat at its limit, the
// collector ran back to back (30 cycles in 11 s, each ~0.4 s), its loop
// stalled for seconds and it started 47 view changes.
func derived(size, live int64) int64 {
	return max(2*size+memoryHeadroom, minMemoryLimit, live*liveFloorNum/liveFloorDen)
}

// liveFloorNum/liveFloorDen is the least limit as a multiple of the live
// heap: 1.25, the headroom GOGC=25 would leave. It was 1.5; but while a
// checkpoint's base is written the snapshot keeps the slabs it reads, the
// live heap grows by what the writes store meanwhile, and 1.5 × that lifted
// the limit, and the process's memory with it, over the budget for seconds
// each time (durable, 1M keys × 1 KiB: 2,325 MiB against 2,224). Since
// the records live in pointer-free slabs a collection costs little, so a
// tighter floor costs little too.
const liveFloorNum, liveFloorDen = 5, 4

// liveHeap reads the live heap after the last collection (0: unknown).
func liveHeap() int64 {
	s := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	if s[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// update sets the derived limit again once the state or the live heap
// moved it by more than a sixteenth. Only the loop goroutine calls it.
// While a fetched checkpoint is installed (installing) another goroutine
// owns the state, so the size last read stands in for it, and the live
// heap's floor follows the state being restored. Without it the limit
// stayed where the state was before the install (512 MiB for a replica
// that restarted empty), below the restored heap, where the collector,
// held to a share of the CPU, may let the heap grow past it (reasoned,
// not measured apart from the restore at a restart: see restoring).
func (m *memLimit) update(installing bool) {
	if m.sm == nil {
		return
	}
	if !installing {
		m.size = m.sm.Size()
	}
	want := derived(m.size, liveHeap())
	if d := want - m.set; m.set == 0 || d > m.set/16 || -d > m.set/16 {
		m.apply(want)
	}
}

// restoring returns the GC percentage to set while a replica restores its
// state from its disk, before the loop (and update) runs, and whether to:
// 25 when the limit is derived from the state and GOGC is not set. A
// restarted replica restored its gigabyte with no limit yet and GOGC=100,
// so the heap could grow to twice what was live at the last collection
// before the next: a durable backup restarting with 1M keys × 1 KiB
// peaked at 2,423 MiB 6 s after its start (budget about 2,200); at 25
// the heap grows by a quarter between collections, which cost little on
// pointer-free slabs, and the same restart peaked at 1,953 MiB
// (docs/benchmarks.md, sixth session).
func restoring(fixed int64) (int, bool) {
	if _, env := os.LookupEnv("GOGC"); env || fixed != MemoryLimitFromState {
		return 0, false
	}
	if _, env := os.LookupEnv("GOMEMLIMIT"); env {
		return 0, false
	}
	return restoreGCPercent, true
}

// restoreGCPercent is the GC percentage while a restart restores the state.
const restoreGCPercent = 25

func (m *memLimit) apply(limit int64) {
	debug.SetMemoryLimit(limit)
	m.set = limit
	m.log.Debug("memory limit set", "bytes", limit)
}
