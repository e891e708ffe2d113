package wal

import "github.com/vr-go/vr/core"

// FirstOp returns the op of the first entry, or 0 if the log is empty.
func (w *WAL) FirstOp() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == 0 {
		return 0
	}
	return w.first
}

// LastOp returns the op of the last entry, or 0 if the log is empty.
func (w *WAL) LastOp() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// HardState returns the latest hard state written, and false if no group
// (since the log was created, or that survived replay) carried one.
func (w *WAL) HardState() (core.HardState, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hard, w.hasHard
}
