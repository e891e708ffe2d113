package storage

import (
	"errors"
	"io"
	"sync/atomic"
	"time"
)

// ErrBaseAborted is the error of a paced base write stopped by
// Storage.AbortBases (the node is shutting down).
var ErrBaseAborted = errors.New("storage: background base write aborted")

// paced is a writer that passes no more than rate bytes per second on to
// w, on average since its first write, by sleeping after a write that got
// ahead. The checkpoint's buffered writer in front of it hands it chunks
// of checkpointBuffer bytes, so it sleeps about once per chunk.
type paced struct {
	w       io.Writer
	rate    int64
	abort   *atomic.Bool // set: fail the write (nil: never)
	start   time.Time
	written int64
}

func newPaced(w io.Writer, rate int64, abort *atomic.Bool) *paced {
	if rate <= 0 {
		panic("storage: paced writer needs a positive rate")
	}
	return &paced{w: w, rate: rate, abort: abort}
}

func (p *paced) Write(b []byte) (int, error) {
	if p.abort != nil && p.abort.Load() {
		return 0, ErrBaseAborted
	}
	if p.start.IsZero() {
		p.start = time.Now()
	}
	n, err := p.w.Write(b)
	p.written += int64(n)
	due := time.Duration(float64(p.written) / float64(p.rate) * float64(time.Second))
	if ahead := due - time.Since(p.start); ahead > 0 {
		time.Sleep(ahead)
	}
	return n, err
}
