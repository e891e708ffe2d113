package loadgen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/internal/proccpu"
)

// Target is the store under test. Implementations must be safe for
// concurrent use. The key and value slices are only valid during a call:
// an implementation must not modify them or keep them after it returns.
type Target interface {
	// Put writes value at key.
	Put(ctx context.Context, key, value []byte) error
	// Get reads key. A missing key is a success (return nil): the
	// benchmark measures the read, not whether the key was written yet.
	Get(ctx context.Context, key []byte) error
}

// drainTimeout bounds how long a timed run waits, after its Duration, for
// the operations still in flight; those still unfinished are abandoned
// (neither counted nor reported as errors).
const drainTimeout = 5 * time.Second

// runner is the shared state of one Run.
type runner struct {
	cfg         Config
	target      Target
	start       time.Time
	measureFrom time.Time // start + Warmup
	deadline    time.Time // measureFrom + Duration; zero in Ops mode
	tickets     atomic.Int64
	done        atomic.Int64 // completed operations, warmup included
	failed      atomic.Int64 // failed operations, warmup included
	window      window       // latencies since the last Snapshot (Progress only)
	written     *written     // the keys written, warmup included
}

// window is the latency histogram of one progress interval, shared by the
// clients.
type window struct {
	on bool // Config.Progress is set; fixed before the clients start
	mu sync.Mutex
	h  Histogram
}

// record adds a latency to the window, if progress is reported.
func (w *window) record(d time.Duration) {
	if !w.on {
		return
	}
	w.mu.Lock()
	w.h.Record(d)
	w.mu.Unlock()
}

// take returns the window's p99 and max and empties it.
func (w *window) take() (p99, most time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.h.Count() == 0 {
		return 0, 0
	}
	p99, most = w.h.Quantile(0.99), w.h.Max()
	w.h = Histogram{}
	return p99, most
}

// Run applies the workload cfg to t and returns what it measured. It
// returns early with the partial result and ctx's error if ctx ends. A
// run in which every operation failed is still a Result (see Errors and
// FirstError); only a bad Config or a nil Target make Run fail at once.
func Run(ctx context.Context, cfg Config, t Target) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if t == nil {
		return Result{}, errors.New("loadgen: nil target")
	}
	r := &runner{cfg: cfg, target: t, start: time.Now(), written: newWritten(cfg.Keys)}
	r.window.on = cfg.Progress != nil
	r.measureFrom = r.start.Add(cfg.Warmup)
	opCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Duration > 0 {
		r.deadline = r.measureFrom.Add(cfg.Duration)
		defer time.AfterFunc(time.Until(r.deadline)+drainTimeout, cancel).Stop()
	}
	stopProgress := r.startProgress()
	stats, end, cpu := r.runClients(ctx, opCtx)
	stopProgress()
	res := mergeStats(stats)
	res.Elapsed = max(end.Sub(r.measureFrom), 0)
	res.summarise(&res.hist, cpu)
	return res.Result, ctx.Err()
}

// runClients runs the clients to completion and returns their statistics,
// the end time and the process CPU seconds spent while measuring.
func (r *runner) runClients(ctx, opCtx context.Context) ([]clientStats, time.Time, float64) {
	stats := make([]clientStats, r.cfg.Clients)
	var wg sync.WaitGroup
	finished := make(chan struct{})
	for i := range stats {
		wg.Go(func() { r.client(opCtx, i, &stats[i]) })
	}
	go func() {
		wg.Wait()
		close(finished)
	}()
	cpu0 := r.cpuAtMeasureStart(ctx, finished)
	<-finished
	end, cpu1 := time.Now(), proccpu.Self()
	if cpu0 < 0 || cpu1 < 0 {
		return stats, end, -1
	}
	return stats, end, (cpu1 - cpu0).Seconds()
}

// cpuAtMeasureStart waits for the end of the warmup and reads the
// process CPU time then.
func (r *runner) cpuAtMeasureStart(ctx context.Context, finished <-chan struct{}) time.Duration {
	t := time.NewTimer(time.Until(r.measureFrom))
	defer t.Stop()
	select {
	case <-t.C:
	case <-finished:
	case <-ctx.Done():
	}
	return proccpu.Self()
}
