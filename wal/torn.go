package wal

import "path/filepath"

// cutTail cuts off a torn final group: every byte after the end record of
// the last complete group, whichever segment that group ended in, together
// with any damage that follows. Later segments go first, newest first, and
// the segment where the cut falls is truncated last, so that a crash in
// between leaves a log whose final group is still incomplete and is cut
// again by the next Open. Nothing cut was ever part of a complete group.
func (r *replayer) cutTail() error {
	j, keep := r.commitSeg, r.commitOff
	var torn int64
	for k := len(r.segs) - 1; k > j; k-- {
		torn += r.sizes[k]
		if err := removeFile(r.dir, segFile(r.segs[k].seq)); err != nil {
			return err
		}
	}
	first := j
	if r.sizes[j] > keep {
		torn += r.sizes[j] - keep
		if err := truncateFile(filepath.Join(r.dir, segFile(r.segs[j].seq)), keep); err != nil {
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
	r.segs, r.sizes = r.segs[:j+1], r.sizes[:j+1]
	r.sizes[j] = keep
	return nil
}
