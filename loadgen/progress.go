package loadgen

import "time"

// progressInterval is how often Config.Progress is called.
const progressInterval = time.Second

// startProgress calls cfg.Progress every progressInterval until the
// returned function is called; that function waits for the last call.
func (r *runner) startProgress() (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		prevOps, prevAt := int64(0), r.start
		for {
			select {
			case <-quit:
				return
			case now := <-t.C:
				ops := r.done.Load()
				p99, most := r.window.take()
				r.cfg.Progress(Snapshot{
					Elapsed: now.Sub(r.start), Warmup: now.Before(r.measureFrom),
					Ops: ops, Errors: r.failed.Load(),
					Rate: float64(ops-prevOps) / now.Sub(prevAt).Seconds(),
					P99:  p99, Max: most, KeysWritten: r.written.distinct(),
				})
				prevOps, prevAt = ops, now
			}
		}
	}()
	return func() {
		close(quit)
		<-exited
	}
}
