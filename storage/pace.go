package storage

import (
	"io"
	"time"
)

// paced is a writer that passes no more than rate bytes per second on to
// w, on average since its first write, by sleeping after a write that got
// ahead. The checkpoint's buffered writer in front of it hands it chunks
// of checkpointBuffer bytes, so it sleeps about once per chunk.
type paced struct {
	w       io.Writer
	rate    int64
	start   time.Time
	written int64
}

func newPaced(w io.Writer, rate int64) *paced {
	if rate <= 0 {
		panic("storage: paced writer needs a positive rate")
	}
	return &paced{w: w, rate: rate}
}

func (p *paced) Write(b []byte) (int, error) {
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
