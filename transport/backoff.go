package transport

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff is the exponential dial back-off of one peer. A zero delay means
// dial at once.
type backoff struct {
	min, max time.Duration
	delay    time.Duration
}

// grow doubles the delay, within [min, max].
func (b *backoff) grow() {
	b.delay = min(max(2*b.delay, b.min), b.max)
}

// wait sleeps for the current delay, jittered uniformly into
// [delay/2, delay], or until wake (if not nil) fires, and reports false if
// ctx ended first.
func (b *backoff) wait(ctx context.Context, wake <-chan struct{}) bool {
	if b.delay <= 0 {
		return ctx.Err() == nil
	}
	half := b.delay / 2
	d := half + rand.N(b.delay-half+1)
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	case <-wake:
		return true
	}
}
