package wal

import "path/filepath"

// A sync round appends a sync record after the groups it covers and then
// fsyncs the segment (sync.go): a synced group always has a valid record
// after it. Marks (format.go) are written only at rare, quiet moments —
// creation, Open, a roll, TruncatePrefix — under mu, only after the data
// they vouch for is durable, and each is followed by its own fsync before
// the next mark write: the slot not being written always holds a durable
// mark.

// appendSyncRecord appends the sync record of a round to the last segment.
// Called with mu held, between groups.
func (w *WAL) appendSyncRecord() error {
	if w.opts.bugs.IgnoreSyncRecords {
		return nil
	}
	w.buf = appendSync(w.buf, w.groupSeq, uint64(w.curSize)+uint64(len(w.buf)))
	return w.flush()
}

// noteRound records that a round on segment seq made every byte below end
// durable.
func (w *WAL) noteRound(seq uint64, end int64) {
	if t := w.tail(); t.seq == seq {
		t.durable = max(t.durable, end)
	}
}

// syncHeld runs a sync round of the last segment without releasing mu, if
// anything written is not durable yet. Called with mu held and no round
// running.
func (w *WAL) syncHeld() error {
	if w.synced >= w.written {
		return nil
	}
	covered, seq := w.written, w.tail().seq
	if err := w.appendSyncRecord(); err != nil {
		return err
	}
	end := w.curSize
	if err := w.fsync(w.cur); err != nil {
		return err
	}
	w.noteRound(seq, end)
	w.markDurable(covered)
	return nil
}

// putMark durably writes the next mark of segment s (file f): flags added,
// vouching for every byte below durable, which must be durable already.
// Called with mu held.
func (w *WAL) putMark(s *segInfo, f File, durable int64, flags uint64) error {
	m := mark{seq: s.markSeq + 1, durable: durable, flags: s.flags | flags}
	idx := 1 - s.markIdx
	if err := writeMark(f, &w.markBuf, s.seq, idx, m); err != nil {
		return err
	}
	if err := w.fsync(f); err != nil {
		return err
	}
	s.flags, s.markSeq, s.markIdx, s.durable = m.flags, m.seq, idx, max(s.durable, durable)
	return nil
}

// markSegment durably adds flags to the marks of segment i, which is not
// the last one: it was synced whole (roll), so its mark vouches for all of
// it. Called with mu held.
func (w *WAL) markSegment(i int, f File, flags uint64) error {
	s := &w.segs[i]
	if !s.v2 {
		return nil // format 1 has no marks
	}
	if f == nil {
		var err error
		if f, err = openSegment(w.opts.FS, w.dir, s.seq); err != nil {
			return err
		}
		defer f.Close()
	}
	return w.putMark(s, f, s.size, flags)
}

// markFirst durably flags segment i as the first of the log, before
// TruncatePrefix removes the segments below it. Called with mu held.
func (w *WAL) markFirst(i int) error {
	switch s := &w.segs[i]; {
	case !s.v2 || s.flags&flagFirst != 0:
		return nil
	case i < len(w.segs)-1:
		return w.markSegment(i, nil, flagFirst)
	default:
		return w.putMark(s, w.cur, s.durable, flagFirst)
	}
}

// sealUnsealed seals every segment but the last that is not sealed yet: a
// crash interrupted the roll that created its successor, which exists.
// Called by Open.
func (w *WAL) sealUnsealed() error {
	for i := 0; i < len(w.segs)-1; i++ {
		if s := &w.segs[i]; s.v2 && s.flags&flagSealed == 0 {
			w.opts.Logger.Info("wal: sealing a segment whose roll was interrupted", "segment", segFile(s.seq))
			if err := w.markSegment(i, nil, flagSealed); err != nil {
				return err
			}
		}
	}
	return nil
}

// restartTail opens the replayed last segment, makes what was replayed
// durable (it may sit only in the page cache of a crashed process), and
// then writes a mark that vouches for exactly it.
func (w *WAL) restartTail() error {
	t := w.tail()
	f, err := openSegment(w.opts.FS, w.dir, t.seq)
	if err != nil {
		return err
	}
	w.cur, w.curSize, w.curFile = w.loopIO(f), t.size, t.fileSize
	if err := f.Sync(); err != nil {
		return err
	}
	return w.putMark(t, f, t.size, 0)
}

// upgradeTail starts a format-2 segment after a format-1 last segment,
// which it makes durable first: new records always go to format 2.
func (w *WAL) upgradeTail() error {
	t := w.tail()
	if t.size == 0 { // a torn first record was cut: nothing is left in it
		if err := removeFile(w.opts.FS, w.dir, segFile(t.seq)); err != nil {
			return err
		}
		w.segs = w.segs[:len(w.segs)-1]
		return w.newTail(t.seq, flagsOfNew(w.segs))
	}
	if err := syncPath(w.opts.FS, filepath.Join(w.dir, segFile(t.seq))); err != nil {
		return err
	}
	w.opts.Logger.Info("wal: continuing a format-1 log in format-2 segments", "after", segFile(t.seq))
	return w.newTail(t.seq+1, 0)
}

// flagsOfNew returns the flags of a new segment that follows segs.
func flagsOfNew(segs []segInfo) uint64 {
	if len(segs) == 0 {
		return flagFirst
	}
	return 0
}

// newTail creates segment seq and makes it the last one.
func (w *WAL) newTail(seq, flags uint64) error {
	f, info, err := createSegment(w.opts.FS, w.dir, seq, flags)
	if err != nil {
		return err
	}
	w.segs = append(w.segs, info)
	w.cur, w.curSize, w.curFile = w.loopIO(f), headerSize, headerSize
	return nil
}
