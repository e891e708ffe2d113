package node

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	held    []heldFile    // newest first, at most two
	chain   storage.Chain // diskless: the scratch chain, owned by the running write
	// bases writes new bases in the background (the second lane,
	// storage/chain.go); close waits for it.
	bases   sync.WaitGroup
	skipped uint64
	written uint64
	last    time.Duration    // how long the last write took
	discard *discarder       // removes stale scratch files (diskless)
	lazy    driver.LazySaves // diskless: checkpoints written only when wanted (ckptlazy.go)
	started time.Time        // the lazy saver's clock starts then
}

// pendingSave is a checkpoint that waits for the running write.
type pendingSave struct {
	ck       *core.Checkpoint
	hs       core.HardState
	reported bool // see save
}

// ckptDone reports a finished write, to the loop.
type ckptDone struct {
	op     uint64
	links  []storage.Link // the checkpoint's chain, base first
	older  []storage.Link // storage.Chain.Older: served to peers whose chain ends in them
	took   time.Duration
	err    error
	rebase *core.Checkpoint // to write whole in the background
	// reported: the replica was told it was saved when it was taken
	// (ckptlazy.go).
	reported bool
}

// heldFile is a saved checkpoint, its chain's files open for reading; its
// bytes are their concatenation.
type heldFile struct {
	op, size uint64
	ops      []uint64 // of each file's record
	names    []string
	files    []*os.File
	sizes    []int64
	older    *heldFile // deltas from inside the chain before (storage.Chain.Older)
}

// ReadAt reads the chain's concatenated bytes.
func (h heldFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for i, f := range h.files {
		if len(p) == 0 {
			break
		}
		if off >= h.sizes[i] {
			off -= h.sizes[i]
			continue
		}
		k := int(min(int64(len(p)), h.sizes[i]-off))
		m, err := f.ReadAt(p[:k], off)
		n += m
		if m < k {
			return n, err
		}
		p, off = p[k:], 0
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// links returns the records of the chain, one per file.
func (h heldFile) links() []driver.HeldLink {
	out := make([]driver.HeldLink, len(h.files))
	for i := range h.files {
		out[i] = driver.HeldLink{Op: h.ops[i], Size: uint64(h.sizes[i])}
	}
	return out
}

// reopen opens the chain's files again, for a reader that must not see
// them closed when the writer drops the checkpoint (an install).
func (h heldFile) reopen(dir string) (heldFile, error) {
	links := make([]storage.Link, len(h.names))
	for i, name := range h.names {
		links[i] = storage.Link{Op: h.ops[i], Name: name}
	}
	return openHeld(dir, h.op, links)
}

func (h heldFile) close() {
	for _, f := range h.files {
		f.Close()
	}
	if h.older != nil {
		h.older.close()
	}
}

// names returns the files to keep for h: its chain's and its older
// deltas'.
func (h heldFile) keep() []string {
	if h.older == nil {
		return h.names
	}
	return append(append([]string(nil), h.names...), h.older.names...)
}

// stagger staggers this replica's background bases against its peers'
// (storage.Chain.Stagger): replica index of the of in epoch 0. A joiner
// (an index beyond them) does not stagger.
func (w *ckptWriter) stagger(index, of int) {
	if index < 0 || index >= of {
		return
	}
	if w.storage != nil {
		w.storage.StaggerBases(index, of)
		return
	}
	w.chain.Stagger(index, of, time.Now, 0) // diskless bases are not paced
}

// newCkptWriter returns the writer for a node: into the data directory of
// st, or a new scratch directory when st is nil (diskless).
func newCkptWriter(st *storage.Storage, log *slog.Logger, d *discarder) (*ckptWriter, error) {
	w := &ckptWriter{storage: st, log: log, done: make(chan ckptDone, 1), discard: d, started: time.Now()}
	if st == nil {
		d.discard(orphanedScratch(os.TempDir(), processAlive))
		dir, err := os.MkdirTemp("", scratchPattern())
		if err != nil {
			return nil, fmt.Errorf("node: scratch directory for checkpoints: %w", err)
		}
		w.dir = dir
		w.lazy.On = true
		return w, nil
	}
	w.dir = st.Dir()
	if op := st.CheckpointOp(); op > 0 {
		w.holdLoaded(op, st.Chain())
	}
	return w, nil
}

// holdLoaded serves the checkpoint the node restarted from.
func (w *ckptWriter) holdLoaded(op uint64, links []storage.Link) {
	if h, err := openHeld(w.dir, op, links); err == nil {
		w.held = []heldFile{h}
	}
}

// Save saves ck: while a diskless writer is idle, by keeping it and
// reporting it saved at once (ckptlazy.go); otherwise by writing it (save).
func (w *ckptWriter) Save(ck *core.Checkpoint, hs core.HardState) {
	if w.lazy.Keep(w.clock(), ck, hs) {
		return
	}
	w.save(ck, hs, false)
}

// save writes ck on a goroutine, or, while a write is running, keeps it
// to write next. reported: the replica was told it was saved when it was
// taken (ckptlazy.go), so its finish reports nothing.
func (w *ckptWriter) save(ck *core.Checkpoint, hs core.HardState, reported bool) {
	if w.busy {
		if w.pending != nil {
			w.skipped++
			w.log.Debug("checkpoint skipped: a newer one replaces it while the previous write runs", "op", w.pending.ck.Op)
			ck.Absorb(w.pending.ck) // its delta covers the skipped one's changes
		}
		w.pending = &pendingSave{ck: ck, hs: hs, reported: reported}
		return
	}
	w.busy = true
	st, dir, chain := w.storage, w.dir, &w.chain
	go func() {
		start := time.Now()
		var links, older []storage.Link
		var rebase bool
		var err error
		if st != nil {
			var wr storage.Written
			wr, err = st.WriteCheckpoint(ck, hs, nil) // touches no state of the loop's
			links, older, rebase = wr.Links, wr.Older, wr.Rebase
		} else if _, rebase, err = storage.WriteLink(wal.OS, dir, chain, ck, false, nil); err == nil {
			links, older = chain.Both()
		}
		d := ckptDone{op: ck.Op, links: links, older: older, took: time.Since(start), err: err, reported: reported}
		if rebase {
			d.rebase = ck
		}
		w.done <- d
	}()
}

// startBase writes a new base of ck on the second lane, while later
// checkpoints keep being written as deltas; the chain switches to it once
// it is written. A failure is only logged: the chain goes on as it was.
func (w *ckptWriter) startBase(ck *core.Checkpoint) {
	st, dir, chain, log := w.storage, w.dir, &w.chain, w.log
	w.bases.Add(1)
	log.Info("checkpoint base started", "op", ck.Op)
	go func() {
		defer w.bases.Done()
		start := time.Now()
		var l storage.Link
		var err error
		if st != nil {
			l, err = st.WriteBase(ck, nil)
		} else {
			l, err = storage.WriteBase(wal.OS, dir, chain, ck, false, 0, nil)
		}
		if errors.Is(err, storage.ErrBaseAborted) {
			log.Info("new checkpoint base abandoned: the replica is stopping", "op", ck.Op)
			return
		}
		if err != nil {
			log.Warn("new checkpoint base not written; the chain of deltas goes on", "op", ck.Op, "err", err)
			return
		}
		log.Info("checkpoint base written", "op", ck.Op, "bytes", l.Size, "took", time.Since(start))
	}()
}

// Held returns the saved checkpoints, newest first.
func (w *ckptWriter) Held() []driver.Held {
	out := make([]driver.Held, len(w.held))
	for i, h := range w.held {
		out[i] = driver.Held{Op: h.op, Size: h.size, Data: h, Links: h.links()}
		if o := h.older; o != nil {
			out[i].Older = &driver.Held{Op: o.op, Size: o.size, Data: o, Links: o.links()}
		}
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
	if d.rebase != nil {
		w.startBase(d.rebase)
	}
	if d.err != nil {
		removeTemporary(w.dir)
		if w.storage != nil {
			return fmt.Errorf("write checkpoint at op %d: %w", d.op, d.err)
		}
		w.log.Error("checkpoint not written; the log is kept until a later one is", "op", d.op, "err", d.err)
		return nil
	}
	h, err := openHeld(w.dir, d.op, d.links)
	if err != nil {
		return fmt.Errorf("open checkpoint at op %d: %w", d.op, err)
	}
	if len(d.older) > 0 {
		if o, err := openHeld(w.dir, d.op, d.older); err == nil {
			h.older = &o // else served only whole or from its own chain
		}
	}
	w.written++
	w.last = d.took
	newest := d.links[len(d.links)-1]
	w.log.Debug("checkpoint saved", "op", d.op, "file", newest.Name, "bytes", newest.Size, "chain_bytes", h.size, "took", d.took)
	w.held = append([]heldFile{h}, w.held...)
	for len(w.held) > 2 {
		w.held[2].close()
		w.held = append(w.held[:2], w.held[3:]...)
	}
	var keep []string
	for _, h := range w.held {
		keep = append(keep, h.keep()...)
	}
	if w.storage != nil {
		w.storage.CheckpointWritten(d.op, keep...)
	} else {
		keep = append(keep, w.chain.Names()...) // the base lane's too
		if b := w.chain.Basing(); b != 0 {
			keep = append(keep, storage.CheckpointFile(b)+".tmp")
		}
		w.discard.discard(scratchBut(w.dir, keep))
	}
	return nil
}

// startPending starts writing the checkpoint that waited, if any.
func (w *ckptWriter) startPending() {
	if p := w.pending; p != nil && !w.busy {
		w.pending = nil
		w.save(p.ck, p.hs, p.reported)
	}
}

// close closes the held files and removes a scratch directory.
func (w *ckptWriter) close() {
	if w == nil {
		return
	}
	w.pending = nil
	if w.storage != nil {
		w.storage.AbortBases() // a paced base would hold the shutdown for seconds
	}
	if w.busy {
		// The goroutine writes into the directory: wait for it, and tidy
		// up as after any write.
		d := <-w.done
		d.rebase = nil
		_ = w.finish(d)
	}
	w.bases.Wait()
	for _, h := range w.held {
		h.close()
	}
	w.held = nil
	if w.storage == nil {
		_ = os.RemoveAll(w.dir)
	}
}

// openHeld opens the files of a saved checkpoint's chain.
func openHeld(dir string, op uint64, links []storage.Link) (heldFile, error) {
	h := heldFile{op: op}
	for _, l := range links {
		f, err := os.Open(filepath.Join(dir, l.Name))
		if err != nil {
			h.close()
			return heldFile{}, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			h.close()
			return heldFile{}, err
		}
		h.names, h.files, h.sizes = append(h.names, l.Name), append(h.files, f), append(h.sizes, st.Size())
		h.ops = append(h.ops, l.Op)
		h.size += uint64(st.Size())
	}
	if len(h.files) == 0 {
		return heldFile{}, fmt.Errorf("checkpoint at op %d: no files", op)
	}
	return h, nil
}

// removeTemporary removes the temporary files a failed write left.
func removeTemporary(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") && strings.HasPrefix(e.Name(), "checkpoint-") {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// scratchBut lists the scratch directory's checkpoint files but those in
// keep (the list is made on the loop, so that files the writer creates
// later are never in it).
func scratchBut(dir string, keep []string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
