package wal

import "fmt"

// readV2 reads format-2 segment i: its header, then its records.
func (r *replayer) readV2(i int, buf []byte, last bool) error {
	s := &r.segs[i]
	h, err := parseHeader(buf, s.seq)
	if err != nil {
		return r.badHeader(i, buf, last, err)
	}
	r.anyV2 = true
	s.v2, s.flags, s.markSeq, s.markIdx = true, h.mark.flags, h.mark.seq, h.newest
	s.durable = h.mark.durable
	switch {
	case s.midGroup:
		return r.corrupt(i, headerSize, 0, "a group runs on from the segment before")
	case last && s.flags&flagSealed != 0:
		return &CorruptError{Segment: segFile(s.seq + 1),
			Reason: fmt.Sprintf("segment is missing (%s was sealed after it was created)", segFile(s.seq))}
	}
	m := h.mark
	if r.bugs.IgnoreSyncRecords {
		m.durable = headerSize
	}
	if err := r.readRecords(i, buf, headerSize, last, m); err != nil || r.torn != nil {
		return err
	}
	return r.endV2(i, last, m)
}

// badHeader handles a format-2 segment whose header cannot be used. The
// only harmless case is a creation a crash interrupted: the last segment,
// holding no record (the header is durable before any record is written),
// whose predecessor was not sealed yet (sealing follows the creation).
func (r *replayer) badHeader(i int, buf []byte, last bool, cause error) error {
	prevSealed := i > 0 && r.segs[i-1].v2 && r.segs[i-1].flags&flagSealed != 0
	if last && len(buf) <= headerSize && !prevSealed && len(r.pending) == 0 {
		r.dropLast = cause
		return nil
	}
	return r.corrupt(i, 0, 0, cause.Error())
}

// endV2 checks how format-2 segment i ends once its records were read
// without damage. It must not end below its newest mark, which vouches for
// durable bytes. A segment that is not the last must end where a group
// ends (it was synced whole before the next one was created); in the last
// one, an unfinished group at the end must lie above the mark.
func (r *replayer) endV2(i int, last bool, m mark) error {
	s := &r.segs[i]
	switch {
	case s.size < m.durable:
		return r.corrupt(i, int(s.size), 0, fmt.Sprintf("segment ends at %d, below its durable data (%d)", s.size, m.durable))
	case len(r.pending) == 0:
		return nil
	case !last:
		return r.corrupt(i, int(s.size), 0, "segment ends inside a group")
	case !m.tornPossible(int64(r.pending[0].off), s.size):
		return r.corrupt(i, r.pending[0].off, 0, "the group at the end is incomplete below durable data")
	}
	return nil
}

// checkFirst fails if segments are missing at the start of the log. A
// format-2 log starts at segment 1 until TruncatePrefix removes segments,
// and TruncatePrefix flags the segment it keeps first before it removes
// any. (Flagged segments above the lowest one mean a removal a crash
// interrupted: the segments below were being removed.) A log that starts
// with a format-1 segment cannot be checked.
func (r *replayer) checkFirst() error {
	if len(r.segs) == 0 || !r.segs[0].v2 || r.segs[0].seq == 1 {
		return nil
	}
	for _, s := range r.segs {
		if s.v2 && s.flags&flagFirst != 0 {
			return nil
		}
	}
	low := r.segs[0].seq
	return &CorruptError{Segment: segFile(low - 1),
		Reason: fmt.Sprintf("segment is missing (the log starts at %s, which is not flagged first)", segFile(low))}
}
