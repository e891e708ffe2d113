// Package yield lets long background work (writing a checkpoint, sorting
// its changes, restoring a fetched one) give up its processor often.
//
// Go's scheduler has no priorities: a goroutine that computes without
// blocking keeps its P until the runtime preempts it, 10 ms later. On a
// machine with as many busy goroutines as Ps, the replica's event loop,
// woken by a message, then waits for a P for 10 or 20 ms. Measured (1M
// keys × 1 KiB, batches of 64 writes applied while a whole snapshot of the
// store was written on other goroutines, GOMAXPROCS=2): 93 of 40,000
// batches took over 5 ms, the slowest 21 ms; with the snapshot's writer
// yielding every 32 KiB, 3, the slowest 5.8 ms (docs/benchmarks.md, tenth
// session).
package yield

import (
	"io"
	"runtime"
)

// Every is how many bytes pass through a Writer or Reader between two
// yields: encoding or decoding that much takes tens of microseconds.
const Every = 64 << 10

// Writer passes writes on to W and yields its processor (runtime.Gosched)
// after every Every bytes.
type Writer struct {
	W io.Writer
	c byteCount
}

func (y *Writer) Write(p []byte) (int, error) {
	n, err := y.W.Write(p)
	y.c.add(n)
	return n, err
}

// Reader passes reads on to R and yields its processor after every Every
// bytes.
type Reader struct {
	R io.Reader
	c byteCount
}

func (y *Reader) Read(p []byte) (int, error) {
	n, err := y.R.Read(p)
	y.c.add(n)
	return n, err
}

// byteCount counts the bytes through a Writer or Reader and yields after
// every Every of them.
type byteCount struct{ n int }

func (b *byteCount) add(n int) {
	if b.n += n; b.n >= Every {
		b.n = 0
		runtime.Gosched()
	}
}

// Counter yields its processor every Steps calls of Tick: for work that
// moves no bytes, such as a sort's comparisons.
type Counter struct {
	Steps int
	n     int
}

// Tick counts a step and yields after every Steps of them.
func (c *Counter) Tick() {
	if c.n++; c.n >= c.Steps {
		c.n = 0
		runtime.Gosched()
	}
}
