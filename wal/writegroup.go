package wal

const (
	flushSize     = 1 << 20 // write the buffer once it holds this much
	maxKeptBuffer = 4 << 20 // drop a buffer that grew beyond this
)

// writeGroup encodes b as one group (an optional cut, the entries, an
// optional hard state, then the end record) and writes it to the last
// segment, after starting a new one if the group would make the current
// one exceed SegmentSize. Groups never span segments. Called with mu held;
// an error leaves the WAL failed.
func (w *WAL) writeGroup(b *Batch) error {
	cut := w.needsCut(b)
	if w.needsRoll(w.groupSize(b, cut)) {
		if err := w.roll(); err != nil {
			return err
		}
	}
	switch {
	case b.Reset:
		w.tail().noteCut(b.From)
		w.buf = appendReset(w.buf, b.From)
	case cut:
		w.tail().noteCut(b.From)
		w.buf = appendCut(w.buf, b.From)
	}
	for i := range b.Entries {
		if err := w.flushIfLarge(); err != nil {
			return err
		}
		e := &b.Entries[i]
		w.tail().noteEntry(e.Op)
		w.buf = appendEntry(w.buf, e)
	}
	if b.Hard != nil {
		w.hardSeg = w.tail().seq
		w.buf = appendHard(w.buf, b.Hard)
	}
	w.groupSeq++
	w.buf = appendEnd(w.buf, w.groupSeq)
	w.written++
	if w.holdGroup {
		return nil // WriteSync's sync round writes it with its sync record
	}
	return w.flush()
}

// needsCut reports whether b's group starts with a cut record: when From
// replaces existing entries, or when the batch has no entries (a pure cut).
func (w *WAL) needsCut(b *Batch) bool {
	return !b.Reset && b.From != 0 && (b.From <= w.last || len(b.Entries) == 0)
}

// groupSize returns the encoded size of b's group.
func (w *WAL) groupSize(b *Batch, cut bool) int64 {
	n := int64(endSize)
	if cut || b.Reset {
		n += cutSize
	}
	for i := range b.Entries {
		n += entrySize(&b.Entries[i])
	}
	if b.Hard != nil {
		n += hardRecordSize(b.Hard)
	}
	return n
}

// needsRoll reports whether a group of size bytes must go to a new
// segment: the current one holds records and would exceed SegmentSize. A
// group larger than SegmentSize gets a segment alone.
func (w *WAL) needsRoll(size int64) bool {
	used := w.curSize - headerSize
	return used > 0 && used+size > w.opts.SegmentSize
}

// tail returns the last segment, the one records go to.
func (w *WAL) tail() *segInfo { return &w.segs[len(w.segs)-1] }

// flushIfLarge writes a buffer that grew large.
func (w *WAL) flushIfLarge() error {
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// roll makes the current segment durable (a sync round), creates the next
// one (header durable), then seals the current one with a mark: a sealed
// segment's successor exists. So every segment but the last is durable,
// damage in one can only be corruption, and a lost last segment is
// noticed. Called with mu held, at a group boundary.
func (w *WAL) roll() error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.syncHeld(); err != nil {
		return err
	}
	if err := w.trimZeros(); err != nil {
		return err
	}
	old := len(w.segs) - 1
	w.segs[old].size, w.segs[old].fileSize = w.curSize, w.curSize
	f, info, err := w.nextSegment(w.segs[old].seq + 1)
	if err != nil {
		return err
	}
	if err := w.markSegment(old, w.cur, flagSealed); err != nil {
		f.Close()
		return err
	}
	w.retire(w.cur)
	w.cur, w.curSize, w.curFile = w.loopIO(f), headerSize, info.fileSize
	w.segs = append(w.segs, info)
	w.prepare(info.seq + 1)
	return nil
}

// trimZeros cuts the unused zeros of a prepared current segment off,
// durably, before a roll creates its successor: a segment that is not
// the last ends where its last group does (prepare.go).
func (w *WAL) trimZeros() error {
	if w.curFile <= w.curSize {
		return nil
	}
	if err := w.cur.Truncate(w.curSize); err != nil {
		return err
	}
	w.curFile = w.curSize
	return w.fsync(w.cur)
}

// nextSegment creates segment seq: from its prepared file when that is
// ready, or as a file that grows as it is written. Called with mu held.
func (w *WAL) nextSegment(seq uint64) (File, segInfo, error) {
	if w.reapPrep(seq) {
		w.prep = nil
		return adoptSegment(w.opts.FS, w.dir, seq, 0, w.segmentFileSize())
	}
	return createSegment(w.opts.FS, w.dir, seq, 0)
}

// flush writes the buffered records to the current segment.
func (w *WAL) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.cur.WriteAt(w.buf, w.curSize)
	if err != nil && w.opts.bugs.IgnoreIOErrors {
		n, err = len(w.buf), nil // planted: as if it had been written
	}
	w.curSize += int64(n)
	w.curFile = max(w.curFile, w.curSize)
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
