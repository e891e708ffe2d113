package wal

const (
	flushSize     = 1 << 20 // write the buffer once it holds this much
	maxKeptBuffer = 4 << 20 // drop a buffer that grew beyond this
)

// writeGroup encodes b as one group (an optional cut, the entries, an
// optional hard state, then the end record) and writes it to the
// segments. Called with mu held; an error leaves the WAL failed.
func (w *WAL) writeGroup(b *Batch) error {
	w.inGroup = false
	if b.Reset {
		if err := w.reserve(cutSize); err != nil {
			return err
		}
		w.tail().noteCut(b.From)
		w.buf = appendReset(w.buf, b.From)
		w.inGroup = true
	} else if b.From != 0 && (b.From <= w.last || len(b.Entries) == 0) {
		if err := w.reserve(cutSize); err != nil {
			return err
		}
		w.tail().noteCut(b.From)
		w.buf = appendCut(w.buf, b.From)
		w.inGroup = true
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		if err := w.reserve(entrySize(e)); err != nil {
			return err
		}
		w.tail().noteEntry(e.Op)
		w.buf = appendEntry(w.buf, e)
		w.inGroup = true
	}
	if b.Hard != nil {
		if err := w.reserve(hardSize); err != nil {
			return err
		}
		w.hardSeg = w.tail().seq
		w.buf = appendHard(w.buf, b.Hard)
		w.inGroup = true
	}
	if err := w.reserve(endSize); err != nil {
		return err
	}
	w.groupSeq++
	w.buf = appendEnd(w.buf, w.groupSeq)
	w.inGroup = false
	w.written++
	return w.flush()
}

// tail returns the last segment, the one records go to.
func (w *WAL) tail() *segInfo { return &w.segs[len(w.segs)-1] }

// reserve makes room for a record of size bytes: it flushes a large
// buffer, and starts a new segment if the record would make the current
// one exceed SegmentSize (unless it is empty).
func (w *WAL) reserve(size int64) error {
	if len(w.buf) >= flushSize {
		if err := w.flush(); err != nil {
			return err
		}
	}
	used := w.curSize + int64(len(w.buf))
	if used == 0 || used+size <= w.opts.SegmentSize {
		return nil
	}
	return w.roll()
}

// roll makes the current segment durable and starts the next one. Every
// segment but the last is therefore durable, so damage in one can only be
// corruption, even when the group it ends with goes on in the next one.
func (w *WAL) roll() error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.fsync(w.cur); err != nil {
		return err
	}
	w.markDurable(w.written)
	seq := w.tail().seq + 1
	f, err := createSegment(w.dir, seq)
	if err != nil {
		return err
	}
	w.retire(w.cur)
	w.cur, w.curSize = f, 0
	w.segs = append(w.segs, segInfo{seq: seq, midGroup: w.inGroup})
	return nil
}

// flush writes the buffered records to the current segment.
func (w *WAL) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.cur.Write(w.buf)
	w.curSize += int64(n)
	if cap(w.buf) > maxKeptBuffer {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	if err == nil && w.hooks.afterWrite != nil {
		w.hooks.afterWrite(w.written)
	}
	return err
}
