package wal

import (
	"fmt"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Batch is one atomic change of the durable state: after a crash the log
// and the hard state show all of it or none of it.
type Batch struct {
	// From is 0 when the log does not change. Otherwise the log from op
	// From on is replaced by Entries: every entry at From or above is
	// dropped and Entries are appended. From may be at most LastOp()+1 and,
	// unless the log is empty, at least FirstOp().
	From uint64
	// Entries are consecutive with Entries[0].Op == From. They may be empty
	// (a pure cut: the log ends at From-1). Write does not keep them.
	Entries []message.Entry
	// Hard is the new hard state, or nil to leave it unchanged.
	Hard *core.HardState
	// Reset drops the whole log, not only from From on: the log restarts
	// at From, which may then be any op above 0 (a replica that adopted
	// a log starting after a checkpoint it still has to fetch).
	Reset bool
}

// empty reports whether b changes nothing.
func (b *Batch) empty() bool { return b.From == 0 && b.Hard == nil }

// Write appends b to the log as one group. It does not wait for
// durability: call Sync, or use WriteSync. A Batch that changes nothing
// writes nothing.
func (w *WAL) Write(b Batch) error {
	_, err := w.write(&b)
	return err
}

// WriteSync writes b and waits until it (and everything written before it)
// is durable. When no sync round runs, the round it leads writes the group
// and the round's sync record in one write: a replica's loop, which
// persists each Output with WriteSync, makes one write call per Output, not
// two.
func (w *WAL) WriteSync(b Batch) error {
	if err := w.checkBatch(&b); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	w.holdGroup = !w.syncing && !w.opts.bugs.IgnoreSyncRecords
	n, err := w.writeLocked(&b)
	w.holdGroup = false
	if err != nil {
		return err
	}
	return w.syncTo(n)
}

// write validates and writes b and returns the number of groups written
// so far, which Sync compares with what an fsync covered.
func (w *WAL) write(b *Batch) (uint64, error) {
	if err := w.checkBatch(b); err != nil {
		return 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return 0, err
	}
	return w.writeLocked(b)
}

// writeLocked writes the valid batch b. Called with mu held.
func (w *WAL) writeLocked(b *Batch) (uint64, error) {
	if b.empty() {
		return w.written, nil
	}
	if !b.Reset && w.last != 0 && b.From != 0 && (b.From < w.first || b.From > w.last+1) {
		return 0, fmt.Errorf("%w: op %d neither continues nor replaces ops %d..%d",
			ErrOutOfOrder, b.From, w.first, w.last)
	}
	if err := w.writeGroup(b); err != nil {
		return 0, w.fail(err)
	}
	w.applyBatch(b)
	return w.written, nil
}

// checkBatch validates b on its own, before anything is written.
func (w *WAL) checkBatch(b *Batch) error {
	if b.From == 0 && (len(b.Entries) > 0 || b.Reset) {
		return fmt.Errorf("%w: entries or a reset with From 0", ErrOutOfOrder)
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		switch {
		case len(e.Payload) > w.opts.MaxPayload:
			return fmt.Errorf("%w: op %d has a %d-byte payload, the limit is %d",
				ErrTooLarge, e.Op, len(e.Payload), w.opts.MaxPayload)
		case e.Op != b.From+uint64(i):
			return fmt.Errorf("%w: entry %d has op %d, want %d", ErrOutOfOrder, i, e.Op, b.From+uint64(i))
		}
	}
	return nil
}

// applyBatch updates the in-memory view of the log after b was written.
func (w *WAL) applyBatch(b *Batch) {
	if b.Hard != nil {
		w.hard, w.hasHard = *b.Hard, true
	}
	switch n := len(b.Entries); {
	case b.From == 0:
	case b.Reset && n == 0:
		w.first, w.last = 0, 0
	case n > 0:
		if w.last == 0 || b.Reset {
			w.first = b.From
		}
		w.last = b.Entries[n-1].Op
	case w.last == 0:
	case b.From <= w.first:
		w.first, w.last = 0, 0
	default:
		w.last = b.From - 1
	}
}
