package node

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/storage"
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
// written waits (pending) and is written next; a newer one replaces it
// (the older is skipped, counted in skipped). At most one snapshot waits,
// so what it pins is bounded, and the newest checkpoint taken is always
// saved eventually: without that, a replica whose log bound is reached
// (core/bounds.go) would wait for a save that never comes, since no new
// op can execute to make the next checkpoint due.
type ckptWriter struct {
	dir     string
	storage *storage.Storage // durable mode; nil when diskless
	log     *slog.Logger
	busy    bool
	pending *pendingSave // waits for the running write
	done    chan ckptDone
	held    []heldFile // newest first, at most two
	skipped uint64
	written uint64
	last    time.Duration // how long the last write took
}

// pendingSave is a checkpoint that waits for the running write.
type pendingSave struct {
	ck *core.Checkpoint
	hs core.HardState
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
func newCkptWriter(st *storage.Storage, log *slog.Logger) (*ckptWriter, error) {
	w := &ckptWriter{storage: st, log: log, done: make(chan ckptDone, 1)}
	if st == nil {
		dir, err := os.MkdirTemp("", "vr-checkpoints-")
		if err != nil {
			return nil, fmt.Errorf("node: scratch directory for checkpoints: %w", err)
		}
		w.dir = dir
		return w, nil
	}
	w.dir = st.Dir()
	if op := st.CheckpointOp(); op > 0 {
		w.holdLoaded(op)
	}
	return w, nil
}

// holdLoaded serves the checkpoint the node restarted from.
func (w *ckptWriter) holdLoaded(op uint64) {
	name := storage.CheckpointFile(op)
	if h, err := openHeld(w.dir, name, op); err == nil {
		w.held = []heldFile{h}
	}
}

// Save starts writing ck on a goroutine, or, while a write is running,
// keeps it to write next.
func (w *ckptWriter) Save(ck *core.Checkpoint, hs core.HardState) {
	if w.busy {
		if w.pending != nil {
			w.skipped++
			w.log.Debug("checkpoint skipped: a newer one replaces it while the previous write runs", "op", w.pending.ck.Op)
		}
		w.pending = &pendingSave{ck: ck, hs: hs}
		return
	}
	w.busy = true
	st, dir := w.storage, w.dir
	go func() {
		start := time.Now()
		name := storage.CheckpointFile(ck.Op)
		var size uint64
		var err error
		if st != nil {
			size, err = st.WriteCheckpoint(ck, hs) // touches no state of the loop's
		} else {
			size, err = storage.WriteCheckpointFile(wal.OS, dir, name, ck, false)
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
	defer w.startPending()
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
	keep := make([]string, len(w.held))
	for i, h := range w.held {
		keep[i] = h.name
	}
	if w.storage != nil {
		w.storage.CheckpointWritten(d.op, keep...)
	} else {
		removeScratchBut(w.dir, keep)
	}
	return nil
}

// startPending starts writing the checkpoint that waited, if any.
func (w *ckptWriter) startPending() {
	if p := w.pending; p != nil && !w.busy {
		w.pending = nil
		w.Save(p.ck, p.hs)
	}
}

// close closes the held files and removes a scratch directory.
func (w *ckptWriter) close() {
	if w == nil {
		return
	}
	w.pending = nil
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

// removeScratchBut removes the scratch directory's checkpoint files but
// those in keep.
func removeScratchBut(dir string, keep []string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
