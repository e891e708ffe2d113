package transport

import (
	"sync"
	"time"
)

// byteBudget bounds the bytes of large inbound frames being read at once
// (Config.MaxInboundBytes). A reader that finds no room waits for it — its
// sender's bytes stay in the kernel's buffers meanwhile, so TCP slows the
// sender — until its connection's idle deadline or the transport's end.
type byteBudget struct {
	mu      sync.Mutex
	held    int64
	max     int64
	freed   chan struct{} // closed, and replaced, whenever bytes are released
	waits   uint64        // acquisitions that had to wait
	waiting int           // acquisitions waiting now
}

func newByteBudget(max int64) *byteBudget {
	return &byteBudget{max: max, freed: make(chan struct{})}
}

// acquire takes n bytes, waiting for room until deadline or stop; it
// reports whether it took them (never, if n exceeds the whole budget).
func (b *byteBudget) acquire(n int64, deadline time.Time, stop <-chan struct{}) bool {
	if n > b.max {
		return false
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for waited := false; ; waited = true {
		b.mu.Lock()
		if b.held+n <= b.max {
			b.held += n
			if waited {
				b.waits++
			}
			b.mu.Unlock()
			return true
		}
		freed := b.freed
		if !waited {
			b.waiting++
			defer b.doneWaiting()
		}
		b.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-freed:
		case <-timer.C:
			return false
		case <-stop:
			return false
		}
	}
}

// doneWaiting ends an acquisition's wait.
func (b *byteBudget) doneWaiting() {
	b.mu.Lock()
	b.waiting--
	b.mu.Unlock()
}

// release gives back n bytes taken by acquire and wakes the waiters.
func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= n
	close(b.freed)
	b.freed = make(chan struct{})
}

// state returns the bytes held, the acquisitions that waited, and those
// waiting now.
func (b *byteBudget) state() (held int64, waits uint64, waiting int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held, b.waits, b.waiting
}
