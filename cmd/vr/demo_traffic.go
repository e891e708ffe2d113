package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// demoTraffic is background client load that keeps running while replicas
// crash and recover: each worker writes its own keys and reads every write
// back at once, which must return the value just written.
type demoTraffic struct {
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu      sync.Mutex
	ops     int
	slowest time.Duration
	err     error
}

// startTraffic starts workers goroutines of load on kv.
func startTraffic(ctx context.Context, kv *demoKV, workers int) *demoTraffic {
	t := &demoTraffic{stop: make(chan struct{})}
	for w := range workers {
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.worker(ctx, kv, w)
		}()
	}
	return t
}

func (t *demoTraffic) worker(ctx context.Context, kv *demoKV, w int) {
	pace := time.NewTicker(5 * time.Millisecond)
	defer pace.Stop()
	for i := 0; ; i++ {
		select {
		case <-t.stop:
			return
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		key, val := fmt.Sprintf("load/%d/%d", w, i%8), fmt.Sprintf("w%d-%d", w, i)
		_, took, err := kv.put(ctx, key, val)
		if err == nil {
			var got string
			var found bool
			var t2 time.Duration
			got, found, t2, err = kv.get(ctx, key)
			took = max(took, t2)
			if err == nil && (!found || got != val) {
				err = fmt.Errorf("read %s right after writing %q: got %q (found=%v)", key, val, got, found)
			}
		}
		if !t.record(took, err) {
			return
		}
	}
}

// record counts one put+get round; it reports false once the load failed.
func (t *demoTraffic) record(took time.Duration, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ops += 2
	t.slowest = max(t.slowest, took)
	if err != nil && t.err == nil {
		t.err = err
	}
	return t.err == nil
}

// finish stops the load, waits for it, and reports requests done, the
// slowest request and the first error. It may be called more than once.
func (t *demoTraffic) finish() (ops int, slowest time.Duration, err error) {
	t.stopOnce.Do(func() { close(t.stop) })
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ops, t.slowest, t.err
}
