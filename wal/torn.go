package wal

import "path/filepath"

// cutTail cuts off a torn final group: every byte after the end record of
// the last complete group (or the sync record after it), whichever segment
// that group ended in, together with any damage that follows. Later segments go first, newest first, and
// the segment where the cut falls is truncated last, so that a crash in
// between leaves a log whose final group is still incomplete and is cut
// again by the next Open. Nothing cut was ever part of a complete group. In
// format 2 groups never span segments, so the cut stays in the last one.
func (r *replayer) cutTail() error {
	if r.dropLast != nil {
		return r.dropCreation()
	}
	n := len(r.segs)
	j, keep := r.commitSeg, r.commitOff
	if r.segs[n-1].v2 && (j < n-1 || keep < headerSize) {
		j, keep = n-1, headerSize // no group ended in the last segment
	}
	var torn int64
	for k := n - 1; k > j; k-- {
		torn += r.segs[k].size
		if err := removeFile(r.fs, r.dir, segFile(r.segs[k].seq)); err != nil {
			return err
		}
	}
	first := j
	if r.segs[j].size > keep {
		torn += r.segs[j].size - keep
		if err := truncateFile(r.fs, filepath.Join(r.dir, segFile(r.segs[j].seq)), keep); err != nil {
			return err
		}
	} else {
		first = j + 1
	}
	r.tornBytes, r.tornSeg = torn, segFile(r.segs[first].seq)
	r.log.Warn("wal: cut a torn final group", "segment", r.tornSeg, "bytes", torn,
		"records", len(r.pending), "cause", r.torn)
	clear(r.pending)
	r.pending = r.pending[:0]
	r.segs = r.segs[:j+1]
	r.segs[j].size = keep
	return nil
}

// dropCreation removes the last segment, whose creation a crash
// interrupted: it holds no record.
func (r *replayer) dropCreation() error {
	last := r.segs[len(r.segs)-1]
	if err := removeFile(r.fs, r.dir, segFile(last.seq)); err != nil {
		return err
	}
	r.tornBytes, r.tornSeg = last.size, segFile(last.seq)
	r.log.Warn("wal: removed a segment whose creation was interrupted", "segment", r.tornSeg,
		"bytes", last.size, "cause", r.dropLast)
	r.segs = r.segs[:len(r.segs)-1]
	return nil
}
