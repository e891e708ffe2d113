package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// gcSetting reads GOGC and the memory limit without changing them.
func gcSetting() (percent int, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64()), debug.SetMemoryLimit(-1)
}

// heapGoal returns the heap size at which the next collection starts,
// after a collection.
func heapGoal() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestTuneSimGC checks that a run of seeds gets the simulator's collector
// settings, that they are put back after it, and that GOGC overrides them.
func TestTuneSimGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := gcSetting()
	restore := tuneSimGC(2)
	percent, limit := gcSetting()
	goal := heapGoal()
	restore()
	if percent != simGCPercent || limit != 2*simMemPerWorker {
		t.Fatalf("during the run: GOGC %d, limit %d; want %d, %d", percent, limit, simGCPercent, 2*simMemPerWorker)
	}
	// The ballast: the heap may grow to 5 × 24 MiB before a collection.
	if want := uint64(2*simBallastPerWorker) * (100 + simGCPercent) / 100; goal < want {
		t.Fatalf("during the run: heap goal %d MiB, want at least %d MiB", goal>>20, want>>20)
	}
	if p, l := gcSetting(); p != before || l != beforeLimit {
		t.Fatalf("after the run: GOGC %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	}
	if g := heapGoal(); g >= goal/2 {
		t.Fatalf("after the run: heap goal %d MiB, want the ballast freed (goal during the run %d MiB)", g>>20, goal>>20)
	}
	t.Setenv("GOGC", "100")
	tuneSimGC(2)()
	if p, _ := gcSetting(); p != before {
		t.Fatalf("with GOGC set: GOGC %d, want %d", p, before)
	}
}
