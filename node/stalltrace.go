package node

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The stall tracer (Config.SlowTraceDir, vr server --slow-trace-dir)
// keeps the last seconds of the process's execution trace in memory (a
// runtime/trace flight recorder) and writes them to a file when the loop
// has a slow iteration: `go tool trace FILE` then shows what the loop's
// goroutine did in it (running, waiting for a processor, in a system
// call, assisting the collector) and what ran instead. A slow iteration's
// log line says where its time went by parts; the trace says why. Such a
// trace showed a durable replica executing one op for 124 ms: a whole
// slab's compaction inside a write, on a loop that the kernel ran a
// fraction of the time (docs/benchmarks.md, eleventh session).

const (
	// stallTraceEvery spaces the traces written: one covers the seconds
	// before it, and slow iterations come in bursts.
	stallTraceEvery = 10 * time.Second
	// maxStallTraces bounds the files one run writes.
	maxStallTraces = 20
	// stallTraceAge is what the recorder keeps: the slow iteration, and
	// what came before it.
	stallTraceAge = 2 * time.Second
)

// stallTracer writes the flight recorder's trace of slow iterations.
// slow is called on the loop; the writing runs on its own goroutine.
type stallTracer struct {
	dir     string
	rec     *trace.FlightRecorder
	log     *slog.Logger
	busy    atomic.Bool // a trace is being written
	next    time.Time   // no trace before
	written int
	wg      sync.WaitGroup
}

// startStallTracer starts recording for slow iterations' traces in dir.
// It fails if dir cannot be made or the process already records (one
// flight recorder per process).
func startStallTracer(dir string, log *slog.Logger) (*stallTracer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("node: slow iteration traces: %w", err)
	}
	rec := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: stallTraceAge, MaxBytes: 64 << 20})
	if err := rec.Start(); err != nil {
		return nil, fmt.Errorf("node: slow iteration traces: %w", err)
	}
	return &stallTracer{dir: dir, rec: rec, log: log}, nil
}

// slow notes an iteration handling what that took long, at now: it
// writes the recorder's trace to a file unless one was written less than
// stallTraceEvery ago, one is being written, or maxStallTraces were.
func (t *stallTracer) slow(what string, took time.Duration, now time.Time) {
	if t == nil || now.Before(t.next) || t.written >= maxStallTraces || !t.busy.CompareAndSwap(false, true) {
		return
	}
	t.next, t.written = now.Add(stallTraceEvery), t.written+1
	name := fmt.Sprintf("slow-%s-%s-%dms.trace", now.UTC().Format("20060102T150405.000"),
		strings.ReplaceAll(what, " ", "-"), took.Milliseconds())
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer t.busy.Store(false)
		t.write(filepath.Join(t.dir, name))
	}()
}

// write writes the recorder's trace to path.
func (t *stallTracer) write(path string) {
	f, err := os.Create(path)
	if err == nil {
		_, err = t.rec.WriteTo(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.log.Warn("slow loop iteration: the trace could not be written", "file", path, "err", err)
		_ = os.Remove(path)
		return
	}
	t.log.Warn("slow loop iteration traced", "file", path)
}

// stop waits for a trace being written and stops recording.
func (t *stallTracer) stop() {
	if t == nil {
		return
	}
	t.wg.Wait()
	t.rec.Stop()
}
