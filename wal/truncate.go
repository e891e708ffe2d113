package wal

// TruncatePrefix removes old segments once a checkpoint covers every op
// below op. Entries at op and above stay; some below op may stay too, so
// FirstOp() (and the next Replay's FirstOp) may be anywhere up to op, and
// the log may become empty, after which Write may start it at any op. The
// hard state always survives: if the only record of the latest one would
// go, TruncatePrefix first writes it again in a group of its own and waits
// until that group is durable.
//
// A segment is removed only if it is not the last one, every entry and cut
// record in it names an op below op, and the first segment kept starts at
// a group boundary; the segment kept first is durably flagged first (so
// that Open can tell a removed segment from a lost one), then removal goes
// oldest first, so a crash leaves a suffix of the segments. Replay of the
// remaining segments then yields every entry at op or above exactly as
// replay of all of them would.
func (w *WAL) TruncatePrefix(op uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	if n := w.removable(op, false); n > 0 && w.hasHard && w.hardSeg < w.segs[n].seq {
		if err := w.rewriteHard(); err != nil {
			return err
		}
		if err := w.usable(); err != nil {
			return err // closed while waiting for the fsync
		}
	}
	n := w.removable(op, true)
	if n == 0 {
		return nil
	}
	if err := w.markFirst(n); err != nil {
		return w.fail(err)
	}
	if err := w.removeOldest(n); err != nil {
		return w.fail(err)
	}
	w.dropMoved()
	return nil
}

// removable returns how many of the oldest segments TruncatePrefix(op) may
// remove; with keepHard, the segment holding the latest hard state stays.
func (w *WAL) removable(op uint64, keepHard bool) int {
	n := 0
	for n < len(w.segs)-1 && w.segs[n].below(op) &&
		!(keepHard && w.hasHard && w.segs[n].seq == w.hardSeg) {
		n++
	}
	for n > 0 && w.segs[n].midGroup {
		n-- // replay must not start inside a group
	}
	return n
}

// rewriteHard writes the current hard state in a group of its own, in the
// last segment, and waits until it is durable. Called with mu held.
func (w *WAL) rewriteHard() error {
	hs := w.hard
	n, err := w.writeLocked(&Batch{Hard: &hs})
	if err != nil {
		return err
	}
	return w.syncTo(n)
}

// removeOldest removes the n oldest segments (never the last), oldest
// first, making each removal durable before the next.
func (w *WAL) removeOldest(n int) error {
	var stale []string
	defer func() { w.discard(stale) }()
	for i := range n {
		path, err := w.retireFile(w.segs[i].seq)
		if path != "" {
			stale = append(stale, path)
		}
		if err != nil {
			w.segs = w.segs[i:]
			return err
		}
	}
	w.segs = w.segs[n:]
	return nil
}

// dropMoved updates the log bounds after segments were removed: the
// entries that survive on replay are those at or above the lowest op that
// an entry or cut record of a remaining segment names (every later record
// at op k dropped the entries at k and above that removed segments held).
func (w *WAL) dropMoved() {
	if w.last == 0 {
		return
	}
	low := uint64(0)
	for i := range w.segs {
		if m := w.segs[i].minOp; m != 0 && (low == 0 || m < low) {
			low = m
		}
	}
	switch {
	case low == 0 || low > w.last:
		w.first, w.last = 0, 0
	case low > w.first:
		w.first = low
	}
}
