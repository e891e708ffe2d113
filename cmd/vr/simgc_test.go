package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gcSetting reads GOGC and the memory limit without changing them.
func gcSetting() (percent int, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64()), debug.SetMemoryLimit(-1)
}

// TestTuneSimGC checks that a run of seeds gets the simulator's collector
// settings, that they are put back after it, and that GOGC overrides them.
func TestTuneSimGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := gcSetting()
	restore := tuneSimGC(2)
	percent, limit := gcSetting()
	restore()
	if percent != simGCPercentMax || limit != 2*simMemPerWorker {
		t.Fatalf("during the run: GOGC %d, limit %d; want %d, %d", percent, limit, simGCPercentMax, 2*simMemPerWorker)
	}
	if p, l := gcSetting(); p != before || l != beforeLimit {
		t.Fatalf("after the run: GOGC %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	}
	g := startSimGC(1)
	g.stop()
	g.percent = 0 // so that a late adjust would set GOGC again
	g.adjust()    // a cleanup that runs after the stop
	if p, l := gcSetting(); p != before || l != beforeLimit {
		t.Fatalf("after a late cleanup: GOGC %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	}
	t.Setenv("GOGC", "100")
	tuneSimGC(2)()
	if p, _ := gcSetting(); p != before {
		t.Fatalf("with GOGC set: GOGC %d, want %d", p, before)
	}
}

// TestGCPercentFor checks the setting's curve: the most while the live
// heap is small, the least when it is large, the heap bound between.
func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live    uint64
		workers int
		want    int
	}{
		{0, 1, simGCPercentMax},
		{1 << 20, 1, simGCPercentMax},
		{1 << 20, 2, simGCPercentMax},
		{8 << 20, 1, 700},
		{16 << 20, 2, 700},
		{16 << 20, 1, simGCPercentMin},
		{150 << 20, 2, simGCPercentMin},
	} {
		if got := gcPercentFor(c.live, c.workers); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d) = %d, want %d", c.live>>20, c.workers, got, c.want)
		}
	}
}

// TestTuneSimGCFollowsLiveHeap checks that the setting follows the live
// heap from one collection to the next: down to the least with a large
// live heap, back up once it is freed.
func TestTuneSimGCFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer tuneSimGC(1)()
	waitPercent := func(want int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			runtime.GC()
			p, _ := gcSetting()
			if p == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GOGC %d, want %d", p, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	func() {
		live := make([][]byte, 64)
		for i := range live {
			live[i] = make([]byte, 1<<20)
		}
		waitPercent(simGCPercentMin)
		runtime.KeepAlive(live)
	}()
	waitPercent(simGCPercentMax)
}
