package wal

import (
	"fmt"

	"github.com/vr-go/vr/core"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// WAL is an open log. Its methods are safe for concurrent use.
type WAL struct {
	opts Options
	dir  string // Dir/log

	mu        sync.Mutex
	cond      *sync.Cond     // signals changes of synced, syncing, err
	segs      []segInfo      // the live segments, oldest first; never empty
	cur       File           // the last segment, which records go to
	curSize   int64          // bytes written to cur
	curFile   int64          // cur's file size: curSize, or more while a prepared segment's zeros remain
	first     uint64         // op of the first entry
	last      uint64         // op of the last entry; 0 when the log is empty
	hard      core.HardState // the latest hard state written
	hasHard   bool           // hard is set
	hardSeg   uint64         // segment holding the record of hard
	groupSeq  uint64         // sequence number of the last group written
	buf       []byte         // encoded records not yet written
	markBuf   [markLen]byte  // a mark being written
	written   uint64         // groups written so far
	synced    uint64         // groups known durable
	syncing   bool           // a group-commit leader is in fsync
	holdGroup bool           // WriteSync leaves its group in buf for the sync record of the round it leads
	retired   []File         // old segment files to close once no fsync runs
	closed    bool           // Close was called
	shut      bool           // Close has closed the files
	err       error          // sticky I/O failure (wraps ErrFailed)
	prep      *preparation   // the next segment's file being prepared, or ready (prepare.go)
	stopPrep  atomic.Bool    // set by Close: a preparation stops

	guard  rawGuard      // raw or hooked I/O of the segment being written (rawio.go)
	fsyncs atomic.Uint64 // fsyncs of segment files, for tests and benchmarks
	hooks  testHooks
}

// testHooks lets tests observe the WAL. All nil in production.
type testHooks struct {
	// afterWrite runs, with mu held, after the groups up to number written
	// reached the file.
	afterWrite func(written uint64)
	// beforeFsync and afterFsync run around every fsync of a segment file;
	// id numbers the fsyncs from 1 in the order they start.
	beforeFsync func(id uint64)
	afterFsync  func(id uint64)
}

// Open opens (creating if needed) the log in opts.Dir and replays it. A torn
// final group is cut off and reported in the Replay; any other damage,
// including damage to data a completed Sync covered and missing segments,
// fails with an error matching ErrCorrupt (a *CorruptError) and changes no
// file. Open does not lock the directory: see LockDir.
func Open(opts Options) (*WAL, Replay, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, Replay{}, err
	}
	dir := filepath.Join(opts.Dir, "log")
	if err := makeDirs(opts.FS, opts.Dir, dir); err != nil {
		return nil, Replay{}, err
	}
	rp, err := replayLog(opts.FS, dir, opts.Logger, opts.bugs)
	if err != nil {
		return nil, Replay{}, err
	}
	w := &WAL{opts: opts, dir: dir, segs: rp.segs,
		first: rp.FirstOp, last: rp.LastOp, hard: rp.Hard, hasHard: rp.HasHard,
		hardSeg: rp.hardSeg, groupSeq: rp.groupSeq}
	w.cond = sync.NewCond(&w.mu)
	if err := w.openTail(); err != nil {
		if w.cur != nil {
			w.cur.Close()
		}
		return nil, Replay{}, err
	}
	if err := w.removePrepFiles(rp.prepFiles); err != nil {
		w.cur.Close()
		return nil, Replay{}, err
	}
	w.discardStale(rp.staleFiles)
	if err := w.prepareTail(); err != nil {
		w.cur.Close()
		return nil, Replay{}, err
	}
	w.mu.Lock()
	w.prepare(w.tail().seq + 1)
	w.mu.Unlock()
	return w, rp.Replay, nil
}

// openTail opens the last segment for writing, creating the first one in
// an empty log and a format-2 one after a format-1 log, and finishes a roll
// that a crash interrupted. What was replayed may sit only in the page
// cache of a crashed process, so it is made durable before the caller acts
// on it.
func (w *WAL) openTail() error {
	if len(w.segs) == 0 {
		return w.newTail(1, flagFirst)
	}
	if !w.tail().v2 {
		return w.upgradeTail()
	}
	if err := w.sealUnsealed(); err != nil {
		return err
	}
	return w.restartTail()
}

// makeDirs creates dir and its log directory and makes them durable.
func makeDirs(fsys FS, dir, logDir string) error {
	if err := fsys.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	for _, d := range []string{logDir, dir, filepath.Dir(dir)} {
		if err := fsys.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Close makes every written group durable and closes the files. Syncs
// already waiting complete; later calls fail with ErrClosed.
func (w *WAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	w.stopPreparing()
	err := w.syncTo(w.written)
	for w.syncing {
		w.cond.Wait()
	}
	w.shut = true
	w.retire(w.cur)
	w.cur = nil
	w.cond.Broadcast()
	return err
}

// usable reports why the WAL cannot take writes, if it cannot.
func (w *WAL) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

// fail records an I/O failure; every later operation returns it.
func (w *WAL) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("%w: %w", ErrFailed, err)
		w.opts.Logger.Error("wal: failed", "err", err)
		w.cond.Broadcast()
	}
	return w.err
}

// retire closes an old segment file, or defers that while a group-commit
// leader may be using it.
func (w *WAL) retire(f File) {
	w.retired = append(w.retired, f)
	if !w.syncing {
		w.closeRetired()
	}
}

// closeRetired closes the retired files. Called with no fsync running.
func (w *WAL) closeRetired() {
	for _, f := range w.retired {
		if err := f.Close(); err != nil {
			w.opts.Logger.Warn("wal: closing old segment", "file", f.Name(), "err", err)
		}
	}
	clear(w.retired)
	w.retired = w.retired[:0]
}

// fsync fsyncs a segment file and counts it.
func (w *WAL) fsync(f File) error {
	id := w.fsyncs.Add(1)
	if w.hooks.beforeFsync != nil {
		w.hooks.beforeFsync(id)
	}
	err := f.Sync()
	if w.opts.bugs.IgnoreIOErrors {
		err = nil // planted
	}
	if w.hooks.afterFsync != nil {
		w.hooks.afterFsync(id)
	}
	return err
}
