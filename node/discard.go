package node

import (
	"os"
	"sync"
	"time"
)

// discarder removes files that are no longer needed (stale checkpoint
// files) on a goroutine of its own, one at a time, so that the replica's
// loop never waits for the file system to free a GiB-sized file: on ext4
// that took 0.2–1 s (measured: a 700 MiB unlink took 0.26 s on an idle
// machine, and the loop iterations that removed the previous base took up
// to 977 ms under the sustained benchmark, on all three replicas at once,
// each followed by a view change). A large file is shrunk in steps before
// it is unlinked, so that freeing its blocks is spread over several
// smaller journal transactions that the log's fsyncs do not queue behind
// as long.
type discarder struct {
	mu      sync.Mutex
	queue   []string
	wake    chan struct{}
	done    chan struct{}
	started bool
	closing bool
}

// shrinkStep is how much of a large file one truncation frees. (Alone on
// the benchmark machine's disk, mounted with online discard, removing a
// GiB in 64 MiB steps 5 ms apart delayed 4 KiB appends fsynced every half
// millisecond by up to 14.8 ms, p99 4.7 ms; in 16 MiB steps by up to
// 4.5 ms, p99 3.9 ms: docs/benchmarks.md, ninth session.)
const shrinkStep = 16 << 20

// shrinkPause is the pause between two truncations of a large file.
const shrinkPause = 5 * time.Millisecond

// newDiscarder returns a discarder that queues paths until start.
func newDiscarder() *discarder {
	return &discarder{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// start starts removing what is queued, and what is queued later.
func (d *discarder) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started && !d.closing {
		d.started = true
		go d.run()
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// discard queues paths for removal; it never blocks. After close it
// removes them at once.
func (d *discarder) discard(paths []string) {
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		for _, p := range paths {
			_ = os.Remove(p)
		}
		return
	}
	d.queue = append(d.queue, paths...)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *discarder) run() {
	defer close(d.done)
	for range d.wake {
		for {
			d.mu.Lock()
			q := d.queue
			d.queue = nil
			closing := d.closing
			d.mu.Unlock()
			for _, p := range q {
				removeGradually(p)
			}
			if len(q) == 0 {
				if closing {
					return
				}
				break
			}
		}
	}
}

// close removes what is queued and stops the goroutine.
func (d *discarder) close() {
	if d == nil {
		return
	}
	d.mu.Lock()
	already, started := d.closing, d.started
	d.closing = true
	d.mu.Unlock()
	if already || !started {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default: // a token is there: run wakes and sees closing
	}
	<-d.done
}

// removeGradually shrinks a large file in steps, then removes it; a
// failure only leaves a stale file behind (a restart removes it).
func removeGradually(path string) {
	if st, err := os.Stat(path); err == nil {
		for size := st.Size() - shrinkStep; size > 0; size -= shrinkStep {
			if os.Truncate(path, size) != nil {
				break
			}
			time.Sleep(shrinkPause)
		}
	}
	_ = os.Remove(path)
}
