package wal

// Sync makes every group written before the call durable. It is a group
// commit: one fsync covers every group written before that fsync started;
// callers that arrive while an fsync runs wait for the next one, which one
// of them leads and which covers all of them.
func (w *WAL) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.syncTo(w.written)
}

// syncTo waits until the groups up to number target are durable, leading
// an fsync whenever none runs. Called with mu held.
func (w *WAL) syncTo(target uint64) error {
	for {
		switch {
		case w.synced >= target:
			return nil
		case w.err != nil:
			return w.err
		case w.shut:
			return ErrClosed
		case !w.syncing:
			w.leadSync()
		default:
			w.cond.Wait()
		}
	}
}

// leadSync runs one sync round: it appends a sync record after the groups
// written so far, then fsyncs the current segment without holding mu, so
// writes go on meanwhile. Earlier segments are durable already (see roll).
func (w *WAL) leadSync() {
	w.syncing = true
	covered, f, seq := w.written, w.cur, w.tail().seq
	err := w.appendSyncRecord()
	end := w.curSize
	if err == nil {
		w.mu.Unlock()
		err = w.fsync(f)
		w.mu.Lock()
	}
	w.syncing = false
	w.closeRetired()
	if err != nil {
		w.fail(err)
	} else {
		w.noteRound(seq, end)
		w.markDurable(covered)
		w.keepPreparing()
	}
	w.cond.Broadcast()
}

// markDurable records that an fsync made the groups up to number covered
// durable.
func (w *WAL) markDurable(covered uint64) {
	w.synced = max(w.synced, covered)
	w.cond.Broadcast()
}
