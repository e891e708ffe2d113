package node

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/wal"
)

// ckptWriter writes the replica's checkpoints off its loop, one at a time,
// and keeps the newest two saved ones open to serve them to peers
// (driver.Checkpoints). Durable mode writes them into the data directory
// (fsynced, renamed into place, the directory fsynced, then named in the
// superblock); diskless mode writes them into a scratch directory, without
// fsyncs, so that encoded checkpoints never sit in memory.
//
// A checkpoint that falls due while the previous one is still being
// written is skipped (counted in skipped): the replica keeps its log until
// a later one is saved. Delaying it instead would keep its copy-on-write
// snapshot, and all it pins, alive for the length of a write, for no
// gain: the next checkpoint follows within an interval.
type ckptWriter struct {
	dir     string
	storage *storage // durable mode; nil when diskless
	log     *slog.Logger
	busy    bool
	done    chan ckptDone
	held    []heldFile // newest first, at most two
	skipped uint64
	written uint64
	last    time.Duration // how long the last write took
}

// ckptDone reports a finished write, to the loop.
type ckptDone struct {
	op   uint64
	name string
	size uint64
	took time.Duration
	err  error
}

// heldFile is a saved checkpoint, open for reading.
type heldFile struct {
	op, size uint64
	name     string
	f        *os.File
}

// newCkptWriter returns the writer for a node: into the data directory of
// st, or a new scratch directory when st is nil (diskless).
func newCkptWriter(st *storage, log *slog.Logger) (*ckptWriter, error) {
	w := &ckptWriter{storage: st, log: log, done: make(chan ckptDone, 1)}
	if st == nil {
		dir, err := os.MkdirTemp("", "vr-checkpoints-")
		if err != nil {
			return nil, fmt.Errorf("node: scratch directory for checkpoints: %w", err)
		}
		w.dir = dir
		return w, nil
	}
	w.dir = st.dir
	if st.ckptOp > 0 {
		w.holdLoaded(st.ckptOp)
	}
	return w, nil
}

// holdLoaded serves the checkpoint the node restarted from.
func (w *ckptWriter) holdLoaded(op uint64) {
	name := checkpointFile(op)
	if h, err := openHeld(w.dir, name, op); err == nil {
		w.held = []heldFile{h}
	}
}

// Save starts writing ck on a goroutine, unless a write is running.
func (w *ckptWriter) Save(ck *core.Checkpoint, hs core.HardState) {
	if w.busy {
		w.skipped++
		w.log.Debug("checkpoint skipped: the previous one is still being written", "op", ck.Op)
		return
	}
	w.busy = true
	durable := w.storage != nil
	var owner wal.Owner
	if durable {
		owner = w.storage.owner
	}
	go func() {
		start := time.Now()
		name := checkpointFile(ck.Op)
		size, err := writeCheckpointFile(w.dir, name, ck, durable)
		if err == nil && durable {
			sb := wal.Superblock{CheckpointOp: ck.Op, CheckpointName: name, Owner: owner, Owned: true}.WithHardState(hs)
			if err = wal.WriteSuperblock(w.dir, sb); err != nil {
				err = fmt.Errorf("superblock for checkpoint at op %d: %w", ck.Op, err)
			}
		}
		w.done <- ckptDone{op: ck.Op, name: name, size: size, took: time.Since(start), err: err}
	}()
}

// Held returns the saved checkpoints, newest first.
func (w *ckptWriter) Held() []driver.Held {
	out := make([]driver.Held, len(w.held))
	for i, h := range w.held {
		out[i] = driver.Held{Op: h.op, Size: h.size, Data: h.f}
	}
	return out
}

// finish takes a finished write on the loop: the checkpoint is saved (and
// durable in durable mode), so it is served from now on, durable mode may
// truncate its log below it, and older files go. It returns an error only
// when the replica must stop (durable mode could not write).
func (w *ckptWriter) finish(d ckptDone) error {
	w.busy = false
	if d.err != nil {
		_ = os.Remove(filepath.Join(w.dir, d.name+".tmp"))
		if w.storage != nil {
			return fmt.Errorf("write checkpoint at op %d: %w", d.op, d.err)
		}
		w.log.Error("checkpoint not written; the log is kept until a later one is", "op", d.op, "err", d.err)
		return nil
	}
	h, err := openHeld(w.dir, d.name, d.op)
	if err != nil {
		return fmt.Errorf("open checkpoint at op %d: %w", d.op, err)
	}
	w.written++
	w.last = d.took
	w.log.Debug("checkpoint saved", "op", d.op, "bytes", d.size, "took", d.took)
	w.held = append([]heldFile{h}, w.held...)
	for len(w.held) > 2 {
		w.held[2].f.Close()
		w.held = append(w.held[:2], w.held[3:]...)
	}
	removeCheckpointsBut(w.dir, w.held)
	if w.storage != nil {
		w.storage.ckptOp = max(w.storage.ckptOp, d.op)
	}
	return nil
}

// close closes the held files and removes a scratch directory.
func (w *ckptWriter) close() {
	if w == nil {
		return
	}
	if w.busy {
		// The goroutine writes into the directory: wait for it, and tidy
		// up as after any write.
		_ = w.finish(<-w.done)
	}
	for _, h := range w.held {
		h.f.Close()
	}
	w.held = nil
	if w.storage == nil {
		_ = os.RemoveAll(w.dir)
	}
}

func openHeld(dir, name string, op uint64) (heldFile, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return heldFile{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return heldFile{}, err
	}
	return heldFile{op: op, size: uint64(st.Size()), name: name, f: f}, nil
}

// writeCheckpointFile streams ck into dir/name through a temporary file,
// renamed into place; with sync, the file and then the directory are
// fsynced, so that the checkpoint is durable when it returns.
func writeCheckpointFile(dir, name string, ck *core.Checkpoint, sync bool) (uint64, error) {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	var out io.Writer = f
	if sync {
		out = &syncEvery{f: f}
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	n, werr := ck.WriteTo(bw)
	ferr := bw.Flush()
	var serr error
	if sync {
		serr = f.Sync()
	}
	cerr := f.Close()
	if err := errors.Join(werr, ferr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return 0, err
	}
	if sync {
		return uint64(n), syncDir(dir)
	}
	return uint64(n), nil
}

// syncEveryBytes is how much of a checkpoint is written between fsyncs.
const syncEveryBytes = 64 << 20

// syncEvery fsyncs its file every syncEveryBytes, so that the kernel writes
// a large checkpoint back as it goes rather than in one burst at the final
// fsync, which the write-ahead log's own fsyncs (a segment roll, sync
// mode) would then queue behind: measured, that burst stalled the loop
// (benchmarks.md, "Checkpoint stalls").
type syncEvery struct {
	f       *os.File
	pending int
}

func (s *syncEvery) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	s.pending += n
	if err == nil && s.pending >= syncEveryBytes {
		s.pending = 0
		err = s.f.Sync()
	}
	return n, err
}

// syncDir fsyncs a directory, so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// removeCheckpointsBut removes every checkpoint file (and temporary file)
// in dir but the held ones; a failure only leaves a stale file behind.
func removeCheckpointsBut(dir string, held []heldFile) {
	keep := make([]string, len(held))
	for i, h := range held {
		keep[i] = h.name
	}
	removeOtherCheckpoints(dir, keep...)
}
