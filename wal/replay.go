package wal

import (
	"errors"
	"log/slog"
	"path/filepath"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// Replay is what Open read back from the log: the effect of every complete
// group, in order.
type Replay struct {
	// Entries are the surviving entries, ops FirstOp..LastOp consecutive.
	Entries []message.Entry
	// FirstOp and LastOp bound Entries; both are 0 when the log is empty.
	// After TruncatePrefix FirstOp may be above 1.
	FirstOp, LastOp uint64
	// Base is the op below the log that the last surviving reset record
	// (Batch.Reset) set, 0 if none survives. With entries, FirstOp is
	// above it.
	Base uint64
	// Hard is the hard state of the latest group that carried one; HasHard
	// is false (and Hard zero) if no surviving group did.
	Hard    core.HardState
	HasHard bool
	// TornBytes is how many bytes of a torn final group (and of any damage
	// after it) were cut off, and TornSegment the first segment they were
	// cut from; 0 and "" if none.
	TornBytes   int64
	TornSegment string
	// TornZeros is how many of TornBytes were the zeros after the damage
	// in a prepared segment (Options.Preallocate): no data was there.
	TornZeros int64
}

// replayed is what Open needs to go on writing after a replay.
type replayed struct {
	Replay
	segs     []segInfo
	groupSeq uint64 // sequence number of the last complete group
	hardSeg  uint64 // segment holding the latest hard record
	// prepFiles are prepared segment files found (prepare.go): never
	// part of the log, removed once it opened.
	prepFiles []string
	// staleFiles are segments TruncatePrefix took out of the log
	// (stale.go): never part of it; Open discards them.
	staleFiles []string
}

// pendingRec is a record of a group whose end record was not read yet.
type pendingRec struct {
	rec record
	seg int // index into replayer.segs
	off int // offset in that segment
}

// replayer applies the groups of the log's segments in order.
type replayer struct {
	fs      FS
	dir     string
	bugs    plant.WAL // planted: see plant.WAL
	log     *slog.Logger
	segs    []segInfo
	st      logState
	hard    core.HardState
	hasHard bool
	hardSeg uint64
	seq     uint64 // sequence number of the last complete group
	seenEnd bool   // seq is set
	pending []pendingRec
	// commitSeg and commitOff locate the end of the last complete group, or
	// of the sync record after it.
	commitSeg int
	commitOff int64
	anyV2     bool  // a format-2 segment was read: every later one is too
	torn      error // why the last segment's tail does not decode, or nil
	dropLast  error // why the last segment is a creation a crash interrupted, or nil
	tornBytes int64
	tornSeg   string
	tornZeros int64 // of tornBytes, the zeros of a prepared segment's end
}

// replayLog replays every segment of dir and cuts off a torn final group.
// Nothing is changed on disk unless every check passed.
func replayLog(fsys FS, dir string, log *slog.Logger, bugs plant.WAL) (replayed, error) {
	seqs, other, err := listSegments(fsys, dir)
	if err != nil {
		return replayed{}, err
	}
	var prepFiles, staleFiles []string
	for _, name := range other {
		if isPrepFile(name) {
			prepFiles = append(prepFiles, name)
			continue
		}
		if isStaleFile(name) {
			staleFiles = append(staleFiles, name)
			continue
		}
		log.Warn("wal: ignoring unexpected file in the log directory", "file", name)
	}
	if err := checkConsecutive(seqs); err != nil {
		return replayed{}, err
	}
	r := &replayer{fs: fsys, dir: dir, log: log, bugs: bugs}
	for i, seq := range seqs {
		r.segs = append(r.segs, segInfo{seq: seq})
		if err := r.readSegment(i, i == len(seqs)-1); err != nil {
			return replayed{}, err
		}
	}
	if err := r.checkFirst(); err != nil {
		return replayed{}, err
	}
	if r.dropLast != nil || r.torn != nil || len(r.pending) > 0 {
		if err := r.cutTail(); err != nil {
			return replayed{}, err
		}
	}
	rp := r.result()
	rp.prepFiles = prepFiles
	rp.staleFiles = staleFiles
	return rp, nil
}

// readSegment reads segment i and takes its records.
func (r *replayer) readSegment(i int, last bool) error {
	buf, err := r.fs.ReadFile(filepath.Join(r.dir, segFile(r.segs[i].seq)))
	if err != nil && r.bugs.ShortReadIsEnd {
		// Planted: what was read before the error is taken for the whole
		// file.
		err = nil
	}
	if err != nil {
		// A failed read says nothing about what the file holds: never
		// guess (a cut would drop what a sync covered); the replica
		// stays down and tries again.
		return err
	}
	r.segs[i].size, r.segs[i].fileSize = int64(len(buf)), int64(len(buf))
	r.segs[i].midGroup = len(r.pending) > 0
	switch {
	case r.anyV2 || isSegHeader(buf):
		return r.readV2(i, buf, last)
	case len(buf) == 0 && !last:
		return r.corrupt(i, 0, 0, "empty segment before the last one")
	case len(buf) == 0:
		r.dropLast = errors.New("empty segment")
		return nil
	}
	return r.readRecords(i, buf, 0, last, mark{})
}

// readRecords takes the records of segment i from offset start on. m is
// the segment's newest mark (format 2 only).
func (r *replayer) readRecords(i int, buf []byte, start int, last bool, m mark) error {
	for off := start; off < len(buf); {
		rec, n, err := decodeRecord(buf[off:])
		if err != nil && r.zeroTail(i, buf, off, last, m) {
			if !r.bugs.ZeroTailAnywhere {
				r.segs[i].size = int64(off)
			}
			return nil
		}
		if err != nil {
			return r.damaged(i, buf, off, err, last, m)
		}
		if err := r.take(i, off, rec); err != nil {
			return err
		}
		off += n
		if rec.typ == recEnd || rec.typ == recSync {
			r.commitSeg, r.commitOff = i, int64(off)
		}
	}
	return nil
}

// damaged handles a record at off of segment i that does not decode. In
// the last segment, with nothing valid after it, it may be the torn end of
// the final group, left for cutTail. In format 2 a completed sync round
// always left a valid sync record after the groups it covered, so damage
// to a synced group always has valid data after it; and damage below the
// segment's newest mark (m) is never torn either. Anything else is
// corruption.
func (r *replayer) damaged(i int, buf []byte, off int, cause error, last bool, m mark) error {
	torn := last && !errors.Is(cause, errBadType) && (!validAfter(buf, off+1) || r.zeroIsEnd(buf, off))
	if torn && r.segs[i].v2 {
		torn = m.tornPossible(int64(off), int64(len(buf)))
	}
	if !torn {
		return r.corrupt(i, off, storedOp(buf[off:]), cause.Error())
	}
	r.torn = cause
	// In a prepared segment zeros follow the damage: the cut removes them
	// too (Open prepares the rest again), but they held no data.
	r.tornZeros = int64(len(buf) - dataEnd(buf))
	return nil
}

// dataEnd returns the length of buf without the zeros at its end.
func dataEnd(buf []byte) int {
	n := len(buf)
	for n >= 8 && le.Uint64(buf[n-8:]) == 0 {
		n -= 8
	}
	for n > 0 && buf[n-1] == 0 {
		n--
	}
	return n
}

// zeroTail reports whether the rest of the last segment, from off on, is
// the zeros of a prepared segment (Options.Preallocate) that no write
// reached yet: the log's clean end, not damage. Zeros below the newest
// mark's durable offset are not: the mark vouches for durable records
// there, so they were lost (corruption). Zeros followed by anything else
// are damage too (a misdirected write leaves such a gap): damaged decides.
func (r *replayer) zeroTail(i int, buf []byte, off int, last bool, m mark) bool {
	return last && r.segs[i].v2 && (int64(off) >= m.durable || r.bugs.ZeroTailAnywhere) && allZero(buf[off:])
}

// allZero reports whether b holds only zeros.
func allZero(b []byte) bool { return dataEnd(b) == 0 }

// zeroIsEnd reports whether the planted ZeroIsEnd takes the zero length
// field at off for the end of the log.
func (r *replayer) zeroIsEnd(buf []byte, off int) bool {
	return r.bugs.ZeroIsEnd && off+lenSize <= len(buf) && le.Uint32(buf[off:]) == 0
}

// validAfter reports whether a valid record starts anywhere in buf at or
// after from.
func validAfter(buf []byte, from int) bool {
	for p := from; p+minRecord <= len(buf); p++ {
		if validRecordAt(buf[p:]) {
			return true
		}
	}
	return false
}

// corrupt returns a *CorruptError for the record at off of segment i.
func (r *replayer) corrupt(i, off int, op uint64, reason string) error {
	return &CorruptError{Segment: segFile(r.segs[i].seq), Offset: int64(off), Op: op, Reason: reason}
}

// result returns what the replay found.
func (r *replayer) result() replayed {
	rep := Replay{Hard: r.hard, HasHard: r.hasHard, TornBytes: r.tornBytes, TornSegment: r.tornSeg,
		TornZeros: min(r.tornZeros, r.tornBytes)}
	if len(r.st.entries) > 0 {
		rep.Entries, rep.FirstOp, rep.LastOp = r.st.entries, r.st.first, r.st.last()
	}
	rep.Base = r.st.base
	return replayed{Replay: rep, segs: r.segs, groupSeq: r.seq, hardSeg: r.hardSeg}
}
