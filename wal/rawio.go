package wal

import (
	"sync/atomic"
	"time"
)

// Raw I/O of the segment being written (Options.RawIO).
const (
	// slowRawSync is the raw fdatasync after which the next
	// hookedAfterSlow syncs (and the writes meanwhile) go through Go's
	// hooked calls again: while a raw call waits, the thread keeps its P,
	// and in a process with one P nothing else runs meanwhile.
	slowRawSync     = 10 * time.Millisecond
	hookedAfterSlow = 1000
)

// rawGuard decides, for each write and sync of the segment being
// written, whether it is a raw system call or Go's hooked one.
type rawGuard struct {
	hookedLeft atomic.Int64 // syncs still hooked after a slow one
}

// raw reports whether the next write or sync may be a raw call.
func (g *rawGuard) raw() bool { return g.hookedLeft.Load() <= 0 }

// synced records a sync: a raw one that took d, or a hooked one.
func (g *rawGuard) synced(raw bool, d time.Duration) {
	switch {
	case raw && d >= slowRawSync:
		g.hookedLeft.Store(hookedAfterSlow)
	case !raw:
		g.hookedLeft.Add(-1)
	}
}

// loopIO returns f as the segment being written: with raw writes and
// syncs under the guard when Options.RawIO asks for them and f is an OS
// file on Linux (wrapRaw), as it is otherwise.
func (w *WAL) loopIO(f File) File {
	if !w.opts.RawIO {
		return f
	}
	return wrapRaw(f, &w.guard)
}
