package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneSimGC checks that a run of seeds gets the simulator's collector
// settings, that they are put back after it, and that GOGC overrides them.
func TestTuneSimGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(before)
	restore := tuneSimGC(2)
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)
	restore()
	if percent != simGCPercent || limit != 2*simMemPerWorker {
		t.Fatalf("during the run: GOGC %d, limit %d; want %d, %d", percent, limit, simGCPercent, 2*simMemPerWorker)
	}
	if p, l := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1); p != before || l != beforeLimit {
		debug.SetGCPercent(p)
		t.Fatalf("after the run: GOGC %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	} else {
		debug.SetGCPercent(p)
	}
	t.Setenv("GOGC", "100")
	tuneSimGC(2)()
	if p := debug.SetGCPercent(-1); p != before {
		debug.SetGCPercent(p)
		t.Fatalf("with GOGC set: GOGC %d, want %d", p, before)
	} else {
		debug.SetGCPercent(p)
	}
}
