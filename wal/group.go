package wal

import (
	"bytes"
	"fmt"
)

// take handles one decoded record during replay: records wait in pending
// until the end record of their group arrives, and only then take effect.
func (r *replayer) take(i, off int, rec record) error {
	if rec.typ == recSync {
		return r.takeSync(i, off, rec)
	}
	if rec.typ != recEnd {
		r.pending = append(r.pending, pendingRec{rec: rec, seg: i, off: off})
		return nil
	}
	if r.seenEnd && rec.seq != r.seq+1 {
		return r.corrupt(i, off, 0, fmt.Sprintf("group %d follows group %d", rec.seq, r.seq))
	}
	if len(r.pending) == 0 {
		return r.corrupt(i, off, 0, fmt.Sprintf("group %d is empty", rec.seq))
	}
	if err := r.applyGroup(); err != nil {
		return err
	}
	r.seq, r.seenEnd = rec.seq, true
	clear(r.pending)
	r.pending = r.pending[:0]
	return nil
}

// takeSync checks a sync record: it ends a round, so it follows a whole
// group, the last one written, and it sits where it says.
func (r *replayer) takeSync(i, off int, rec record) error {
	switch {
	case len(r.pending) > 0:
		return r.corrupt(i, off, 0, "sync record inside a group")
	case !r.seenEnd || rec.seq != r.seq:
		return r.corrupt(i, off, 0, fmt.Sprintf("sync record for group %d after group %d", rec.seq, r.seq))
	case rec.off != uint64(off):
		return r.corrupt(i, off, 0, fmt.Sprintf("sync record written for offset %d", rec.off))
	}
	return nil
}

// applyGroup checks the shape of the pending group and applies it.
func (r *replayer) applyGroup() error {
	for k := range r.pending {
		if reason := r.misplaced(k); reason != "" {
			p := &r.pending[k]
			return r.corrupt(p.seg, p.off, opOf(&p.rec), reason)
		}
	}
	for k := range r.pending {
		p := &r.pending[k]
		if reason := r.apply(p); reason != "" {
			return r.corrupt(p.seg, p.off, opOf(&p.rec), reason)
		}
	}
	return nil
}

// misplaced returns why pending record k breaks the shape Write gives a
// group (an optional cut, consecutive entries from the cut's op, an
// optional hard state last), or "".
func (r *replayer) misplaced(k int) string {
	rec := &r.pending[k].rec
	if (rec.typ == recCut || rec.typ == recEntry || rec.typ == recReset) && opOf(rec) == 0 {
		return "op 0 is not an op-number"
	}
	switch rec.typ {
	case recCut, recReset:
		if k != 0 {
			return "cut or reset record inside a group"
		}
	case recHard:
		if k != len(r.pending)-1 {
			return "hard-state record before the end of its group"
		}
	case recEntry:
		if k == 0 {
			return ""
		}
		prev := &r.pending[k-1].rec
		want := prev.op // after a cut or a reset
		if prev.typ == recEntry {
			want = prev.entry.Op + 1
		}
		if rec.entry.Op != want {
			return fmt.Sprintf("entry %d where op %d was due", rec.entry.Op, want)
		}
	default:
		return fmt.Sprintf("record type %d inside a group", rec.typ)
	}
	return ""
}

// apply applies one record of a complete group.
func (r *replayer) apply(p *pendingRec) string {
	seg := &r.segs[p.seg]
	switch rec := &p.rec; rec.typ {
	case recCut:
		seg.noteCut(rec.op)
		return r.st.cut(rec.op)
	case recReset:
		seg.noteCut(rec.op)
		r.st.reset(rec.op)
	case recEntry:
		seg.noteEntry(rec.entry.Op)
		e := rec.entry
		e.Payload = bytes.Clone(e.Payload) // do not pin the segment's buffer
		return r.st.put(e)
	case recHard:
		r.hard, r.hasHard, r.hardSeg = rec.hard, true, seg.seq
	}
	return ""
}
