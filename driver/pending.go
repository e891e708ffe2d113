package driver

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// pendingWrite is a write handed to the storage and not yet durable: the
// messages and replies held until it is, and what the replica learns then.
// Its done callback is made once and the write is reused once durable: a
// closure per write was about a tenth of the simulator's allocations.
// (Writes may become durable out of order: the simulator's disk completes
// a write that wrote nothing at once, while the callbacks of an earlier
// flush are still being called.)
type pendingWrite struct {
	d        *Driver
	inFlight bool
	seq      uint64
	ck       *core.Checkpoint
	hs       core.HardState // set with ck only: save's
	held     []core.Envelope
	replies  []*message.Reply
	done     func()          // w.written, made once
	buf      []core.Envelope // storage for held, kept for the next write
}

// newWrite returns a pending write, reused if one is free.
func (d *Driver) newWrite() *pendingWrite {
	if n := len(d.free); n > 0 {
		w := d.free[n-1]
		d.free[n-1] = nil
		d.free = d.free[:n-1]
		return w
	}
	w := &pendingWrite{d: d}
	w.done = w.written
	return w
}

// written is the storage's done callback: the write is durable. The held
// messages and replies leave, and the replica learns what is durable.
func (w *pendingWrite) written() {
	if !w.inFlight {
		panic("driver: the storage reported a write durable twice")
	}
	w.inFlight = false
	d := w.d
	d.send(w.held)
	d.reply(w.replies)
	if w.ck != nil {
		d.save(w.ck, w.hs)
	}
	seq, buf := w.seq, w.buf
	clear(buf)
	*w = pendingWrite{d: d, done: w.done, buf: buf[:0]}
	d.free = append(d.free, w) // free to reuse, with its buffer
	if d.replica.Persisted(seq) {
		d.Flush()
	}
}
