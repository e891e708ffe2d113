package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// Prepared segments (Options.Preallocate). An fsync of a file that grew
// also commits its new size to the file system's journal: on ext4 that
// doubles its cost (docs/benchmarks.md, "Prepared segments"). So the next
// segment is prepared in the background, before the log needs it: a file
// of the segment's full size, zeros, durable, under a name no replay
// reads (prepFile). A roll gives it its header, makes that durable, and
// renames it into place; records then overwrite its zeros, and a sync
// round's fsync has only data to write.
//
// The zeros are not records: replay takes zeros from some offset to the
// end of the last segment for its unwritten rest (replayer.zeroTail), so
// long as they lie at or above its newest mark. A roll cuts a full
// segment's unused zeros off (durably) before it creates the next one, so
// no segment but the last ever holds any: every earlier segment still
// ends where its last group does.

// prepExt ends the name of a segment file being prepared.
const prepExt = ".prep"

// prepFile is the name segment seq is prepared under.
func prepFile(seq uint64) string { return segFile(seq) + prepExt }

// isPrepFile reports whether name is a prepared segment's.
func isPrepFile(name string) bool {
	seg, found := strings.CutSuffix(name, prepExt)
	_, ok := parseName(seg)
	return found && ok
}

// zeros is what prepared segments are filled from (never written).
var zeros [1 << 20]byte

// errPrepStopped ends a preparation that Close stopped.
var errPrepStopped = errors.New("wal: segment preparation stopped")

// preparation is the background filling of segment seq's prepared file.
type preparation struct {
	seq      uint64
	done     chan error // receives the job's outcome, once
	finished bool       // done was received, into err
	err      error
}

// prepare starts preparing segment seq's file, unless preparation is off
// or a job is under way (or finished and not taken yet). Called with mu
// held.
func (w *WAL) prepare(seq uint64) {
	if !w.opts.Preallocate || w.prep != nil || w.closed {
		return
	}
	p := &preparation{seq: seq, done: make(chan error, 1)}
	w.prep = p
	fsys, path, size, stop := w.opts.FS, filepath.Join(w.dir, prepFile(seq)), w.segmentFileSize(), &w.stopPrep
	w.opts.Background(func() { p.done <- fillZeros(fsys, path, size, stop) })
}

// segmentFileSize is the size of a prepared segment file.
func (w *WAL) segmentFileSize() int64 { return headerSize + w.opts.SegmentSize }

// fillZeros creates the file at path holding size zeros, durably.
func fillZeros(fsys FS, path string, size int64, stop *atomic.Bool) error {
	f, err := fsys.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	err = writeZeros(f, 0, size, stop)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeBackZeros is WriteBack; tests see its calls.
var writeBackZeros = WriteBack

// writeZeros writes zeros into f from offset from up to to, a quarter MiB
// at a time, each piece written back to the disk (WriteBack) before the
// next is written, failing with errPrepStopped once stop (if any) is set.
// The caller fsyncs once at the end, which then finds nothing left to
// write but metadata.
//
// The pieces keep the disk's queue short. Written whole and then fsynced
// once, a 64 MiB segment went to the disk in one burst that every fsync of
// the logs issued meanwhile queued behind: alone on the benchmark
// machine's virtio disk, 4 KiB appends fsynced every half millisecond
// waited up to 37-45 ms once per segment (8 of ~3,000 over 20 ms in 8
// segments), against at most 16 ms with a fsync per MiB (0 over 20 ms;
// docs/benchmarks.md, ninth session). A fsync per MiB, as from then until
// the nineteenth session, still committed the journal and flushed the
// disk's cache 64 times per segment; writing back without either does
// neither (the checkpoint files' measurements: benchmarks.md, nineteenth
// session).
func writeZeros(f File, from, to int64, stop *atomic.Bool) error {
	for off := from; off < to; {
		if stop != nil && stop.Load() {
			return errPrepStopped
		}
		n, err := f.WriteAt(zeros[:min(WriteBackPiece, to-off)], off)
		if err != nil {
			return err
		}
		if err := writeBackZeros(f, off, int64(n)); err != nil {
			return err
		}
		off += int64(n)
	}
	return nil
}

// prepareTail fills the rest of the last segment with zeros, durably,
// when it was not prepared (a new log's first segment, a segment a
// process before this one grew, one created while its preparation was
// not ready): so the fsyncs after a restart write data only at once, not
// only from the next segment on. It costs one segment's writes at Open.
// Called by Open.
func (w *WAL) prepareTail() error {
	full := w.segmentFileSize()
	if !w.opts.Preallocate || w.curFile >= full {
		return nil
	}
	if err := writeZeros(w.cur, w.curFile, full, nil); err != nil {
		return err
	}
	if err := w.fsync(w.cur); err != nil {
		return err
	}
	w.curFile = full
	return nil
}

// reapPrep collects a finished preparation: a failed one, or one for a
// segment other than next (created without it meanwhile), is dropped and
// its file removed. It returns whether segment next's file is prepared.
// Called with mu held.
func (w *WAL) reapPrep(next uint64) bool {
	p := w.prep
	if p == nil {
		return false
	}
	if !p.finished {
		select {
		case p.err = <-p.done:
			p.finished = true
		default:
			return false
		}
	}
	if p.err == nil && p.seq == next {
		return true
	}
	if p.err != nil && !errors.Is(p.err, errPrepStopped) {
		w.opts.Logger.Warn("wal: preparing a segment failed; the next one grows as it is written", "segment", prepFile(p.seq), "err", p.err)
	}
	w.dropPrep()
	return false
}

// keepPreparing starts preparing the segment after the current one once
// no preparation runs (one for an older segment finished). Called with mu
// held, after a sync round.
func (w *WAL) keepPreparing() {
	next := w.tail().seq + 1
	if !w.reapPrep(next) && w.prep == nil {
		w.prepare(next)
	}
}

// dropPrep forgets the finished preparation and removes its file.
func (w *WAL) dropPrep() {
	name := filepath.Join(w.dir, prepFile(w.prep.seq))
	w.prep = nil
	if err := w.opts.FS.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		w.opts.Logger.Warn("wal: removing a prepared segment", "file", name, "err", err)
	}
}

// stopPreparing stops a running preparation and waits for it. Called by
// Close, with mu held (the job never takes mu).
func (w *WAL) stopPreparing() {
	w.stopPrep.Store(true)
	if p := w.prep; p != nil && !p.finished {
		p.err, p.finished = <-p.done, true
	}
}

// adoptSegment makes the prepared file of segment seq the segment: its
// header written and durable, then renamed into place, the rename
// durable. The zeros after the header are the segment's unwritten rest.
func adoptSegment(fsys FS, dir string, seq, flags uint64, size int64) (File, segInfo, error) {
	prep := filepath.Join(dir, prepFile(seq))
	f, err := fsys.OpenFile(prep, os.O_WRONLY, 0)
	if err != nil {
		return nil, segInfo{}, err
	}
	hb := headerBuffers.Get().(*[headerSize]byte)
	_, err = f.WriteAt(putHeader(hb[:], seq, flags), 0)
	headerBuffers.Put(hb)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(prep, filepath.Join(dir, segFile(seq)))
	}
	if err == nil {
		err = fsys.SyncDir(dir)
	}
	if err != nil {
		return nil, segInfo{}, err
	}
	if f, err = openSegment(fsys, dir, seq); err != nil {
		return nil, segInfo{}, err
	}
	info := newSegInfo(seq, flags)
	info.fileSize = size
	return f, info, nil
}

// removePrepFiles removes prepared files a previous process left (they
// are never part of the log). Called by Open.
func (w *WAL) removePrepFiles(names []string) error {
	for _, name := range names {
		if err := w.opts.FS.Remove(filepath.Join(w.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
