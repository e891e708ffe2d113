//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv/kvcheck"
)

// Client call deadlines. A call that runs out is recorded with an unknown
// outcome. A tenth of the calls get the short one, which only runs out
// while the cluster is repairing itself, so that the history has unknown
// outcomes for the checker to handle.
const (
	opTimeout      = 3 * time.Second
	shortOpTimeout = 150 * time.Millisecond
)

// workerPace spaces one worker's calls. It bounds how many ops a run
// writes, and so the history the linearizability checker must check. (It
// no longer needs to bound the log: replicas checkpoint and truncate their
// logs, so view changes and recoveries carry at most two checkpoint
// intervals of log; see TestLargeLogViewChange.)
const workerPace = 2 * time.Millisecond

// workload is concurrent clients doing Get, Put, CAS and Delete on a few
// keys, every call recorded for the linearizability checker.
type workload struct {
	rec     *kvcheck.Recorder
	keys    []string
	clients int // workers started
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup

	done, unknown atomic.Int64 // calls with a known and an unknown outcome
	mu            sync.Mutex
	unexpected    []error
	// discover lets the clients learn the configuration from the replicas
	// and follow reconfigurations; without it they take the addresses as
	// the configuration (Static), which addresses through proxies need.
	discover bool
}

func newWorkload(keys []string) *workload {
	t0 := time.Now()
	return &workload{
		rec:  kvcheck.NewRecorder(func() int64 { return int64(time.Since(t0)) }),
		keys: keys, stop: make(chan struct{}),
	}
}

// start runs n workers, each with its own client (one session).
func (w *workload) start(ctx context.Context, addrs []string, n int) error {
	for id := range n {
		c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Static: !w.discover, Sessions: 1, RetryInterval: 50 * time.Millisecond})
		if err != nil {
			return err
		}
		w.clients++
		cw := &worker{id: id, w: w, c: c, rng: rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano()))),
			versions: map[string]uint64{}}
		w.wg.Go(func() {
			defer c.Close()
			cw.run(ctx)
		})
	}
	return nil
}

// finish stops the workers after their current call and waits for them.
func (w *workload) finish() {
	w.once.Do(func() { close(w.stop) })
	w.wg.Wait()
}

func (w *workload) noteUnexpected(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.unexpected = append(w.unexpected, err)
}

// worker is one client of the workload. It remembers the last version it
// saw of each key, to send CAS requests that can succeed.
type worker struct {
	id       int
	w        *workload
	c        *client.Client
	rng      *rand.Rand
	versions map[string]uint64
}

func (cw *worker) run(ctx context.Context) {
	pace := time.NewTicker(workerPace)
	defer pace.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-cw.w.stop:
			return
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		cw.step(ctx, seq)
	}
}

// step does one random call with a unique value.
func (cw *worker) step(ctx context.Context, seq int) {
	timeout := opTimeout
	if cw.rng.IntN(10) == 0 {
		timeout = shortOpTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key := cw.w.keys[cw.rng.IntN(len(cw.w.keys))]
	val := fmt.Sprintf("c%d-%d", cw.id, seq)
	switch r := cw.rng.IntN(100); {
	case r < 40:
		cw.get(ctx, key)
	case r < 70:
		cw.put(ctx, key, val)
	case r < 85:
		cw.cas(ctx, key, val)
	default:
		cw.del(ctx, key)
	}
}

func (cw *worker) get(ctx context.Context, key string) {
	id := cw.w.rec.Begin(cw.id, kvcheck.Input{Op: kvcheck.OpGet, Key: key})
	v, ver, err := cw.c.Get(ctx, []byte(key))
	switch {
	case err == nil:
		cw.end(id, kvcheck.Output{Found: true, Value: string(v), Version: ver})
		cw.versions[key] = ver
	case errors.Is(err, client.ErrNotFound):
		cw.end(id, kvcheck.Output{})
		cw.versions[key] = 0
	default:
		cw.fail(id, err)
	}
}

func (cw *worker) put(ctx context.Context, key, val string) {
	id := cw.w.rec.Begin(cw.id, kvcheck.Input{Op: kvcheck.OpPut, Key: key, Value: val})
	ver, err := cw.c.Put(ctx, []byte(key), []byte(val))
	if err != nil {
		cw.fail(id, err)
		return
	}
	cw.end(id, kvcheck.Output{Version: ver})
	cw.versions[key] = ver
}

func (cw *worker) cas(ctx context.Context, key, val string) {
	expected := cw.versions[key]
	id := cw.w.rec.Begin(cw.id, kvcheck.Input{Op: kvcheck.OpCAS, Key: key, Value: val, Expected: expected})
	ver, err := cw.c.CAS(ctx, []byte(key), expected, []byte(val))
	var ce *client.CASError
	switch {
	case err == nil:
		cw.end(id, kvcheck.Output{Swapped: true, Version: ver})
		cw.versions[key] = ver
	case errors.As(err, &ce):
		cw.end(id, kvcheck.Output{Version: ce.Current})
		cw.versions[key] = ce.Current
	default:
		cw.fail(id, err)
	}
}

func (cw *worker) del(ctx context.Context, key string) {
	id := cw.w.rec.Begin(cw.id, kvcheck.Input{Op: kvcheck.OpDelete, Key: key})
	found, err := cw.c.Delete(ctx, []byte(key))
	if err != nil {
		cw.fail(id, err)
		return
	}
	cw.end(id, kvcheck.Output{Found: found})
	cw.versions[key] = 0
}

func (cw *worker) end(id int, out kvcheck.Output) {
	cw.w.rec.End(id, out)
	cw.w.done.Add(1)
}

// fail records a call whose outcome the client did not learn. Timeouts and
// evicted sessions are expected under faults; other errors are noted.
func (cw *worker) fail(id int, err error) {
	cw.w.rec.EndUnknown(id)
	cw.w.unknown.Add(1)
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, client.ErrSessionEvicted) &&
		!errors.Is(err, context.Canceled) {
		cw.w.noteUnexpected(fmt.Errorf("client %d: %w", cw.id, err))
	}
}
