package engine

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// HeapInUse runs the garbage collector and returns the Go heap in use:
// the spans holding live objects, fragmentation included.
func HeapInUse() uint64 { return memStats().HeapInuse }

// LiveHeap runs the garbage collector and returns the bytes of live Go
// objects. Unlike HeapInUse, differences of LiveHeap are meaningful in a
// process whose heap already has free slots to reuse.
func LiveHeap() uint64 { return memStats().HeapAlloc }

// memStats collects garbage and reads the memory statistics.
func memStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}

// RSS returns the process's resident set size from /proc (0 if unknown).
func RSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
