package loadgen

import "sync/atomic"

// written records which keys a run has written, so that its progress can
// say how much data the store holds: for a store that started empty, the
// distinct keys written times the size of a key and a value. One bit per
// key: a million keys take 128 KiB.
type written struct {
	bits  []atomic.Uint64
	count atomic.Int64
}

func newWritten(keys int) *written {
	return &written{bits: make([]atomic.Uint64, (keys+63)/64)}
}

// mark records that key i was written.
func (w *written) mark(i uint64) {
	bit := uint64(1) << (i % 64)
	if w.bits[i/64].Or(bit)&bit == 0 {
		w.count.Add(1)
	}
}

// distinct returns how many distinct keys were written.
func (w *written) distinct() int64 { return w.count.Load() }
