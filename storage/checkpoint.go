package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/yield"
	"github.com/vr-go/vr/wal"
)

// Checkpoint files live in the data directory as checkpoint-<op>.vrck. A
// checkpoint is written atomically, off the replica's loop (WriteCheckpoint:
// a temporary file, fsynced as it goes, renamed into place, the directory
// fsynced); then the superblock names it. Back on the loop,
// CheckpointWritten records it as durable, checkpoint files older than the
// previous one (and temporary files a crash left) are removed, and the
// write-ahead log is truncated below the replica's log base with the next
// write. A crash at any point leaves either the old checkpoint named by
// the superblock, with the log it needs, or the new one.

const (
	checkpointPrefix = "checkpoint-"
	checkpointExt    = ".vrck"
)

// CheckpointFile is the file name of the checkpoint at op.
func CheckpointFile(op uint64) string {
	return checkpointName(op, checkpointExt)
}

// checkpointName is the name of the checkpoint file at op with extension
// ext: the prefix, op in 20 digits padded with zeros (fmt's %020d, without
// its cost), ext.
func checkpointName(op uint64, ext string) string {
	var d [20]byte
	digits := strconv.AppendUint(d[:0], op, 10)
	b := make([]byte, 0, len(checkpointPrefix)+20+len(ext))
	b = append(b, checkpointPrefix...)
	for i := len(digits); i < 20; i++ {
		b = append(b, '0')
	}
	return string(append(append(b, digits...), ext...))
}

// Dir returns the data directory.
func (s *Storage) Dir() string { return s.cfg.Dir }

// CheckpointOp returns the op of the newest durable checkpoint (0: none).
func (s *Storage) CheckpointOp() uint64 { return s.ckptOp }

// Written is a checkpoint WriteCheckpoint made durable: its chain's
// files, base first, the new one last; Rebase: a new base of it is to be
// written in the background (WriteBase).
type Written struct {
	Op     uint64
	Links  []Link
	Older  []Link // Chain.Older: deltas from inside the chain before
	Rebase bool
}

// WriteCheckpoint makes ck durable as the next link of the checkpoint
// chain (chain.go: a delta file, or a base) and names it, with the hard
// state hs, in the superblock. It touches only the checkpoint files, the
// chain and the superblock, never the log, so it may run on another
// goroutine than the rest of Storage (the node's checkpoint writer), one
// call at a time, beside one WriteBase; call CheckpointWritten on the
// Storage's goroutine once it returned. tee, if not nil, sees the bytes
// of the file written.
func (s *Storage) WriteCheckpoint(ck *core.Checkpoint, hs core.HardState, tee io.Writer) (Written, error) {
	l, rebase, err := WriteLink(s.cfg.FS, s.cfg.Dir, &s.chain, ck, true, tee)
	if err != nil {
		return Written{}, fmt.Errorf("write checkpoint at op %d: %w", ck.Op, err)
	}
	sb := wal.Superblock{CheckpointOp: ck.Op, CheckpointName: l.Name, Owner: s.cfg.Owner, Owned: true}.WithHardState(hs)
	if err := wal.WriteSuperblock(s.cfg.FS, s.cfg.Dir, sb); err != nil {
		if rebase {
			s.chain.BaseDone(Link{}, false)
		}
		return Written{}, fmt.Errorf("superblock for checkpoint at op %d: %w", ck.Op, err)
	}
	links, older := s.chain.Both()
	return Written{Op: ck.Op, Links: links, Older: older, Rebase: rebase}, nil
}

// WriteBase writes a new base of ck, which WriteCheckpoint wrote as a
// delta and reported Rebase for, durably, on the writer's second lane
// (beside later WriteCheckpoints); the chain then starts at it. It needs
// no superblock: a restart's walk takes the base file of an op where one
// exists. A failure only leaves the chain as it was (logged by the
// caller; a later checkpoint starts another base).
func (s *Storage) WriteBase(ck *core.Checkpoint, tee io.Writer) (Link, error) {
	return writeBase(s.cfg.FS, s.cfg.Dir, &s.chain, ck, fileOpts{sync: true, rate: s.cfg.BaseRate, abort: &s.abortBases}, tee)
}

// AbortBases makes a paced background base write (Config.BaseRate) that
// is running, or starts later, fail with ErrBaseAborted instead of taking
// its time: the node calls it when it stops, so that shutting down does
// not wait for a base paced over many seconds. The chain goes on as it
// was; the next start writes a new base when one is due.
func (s *Storage) AbortBases() { s.abortBases.Store(true) }

// StaggerBases staggers the background bases of replica index (of
// replicas) against its peers' (Chain.Stagger). Call it before the first
// WriteCheckpoint.
func (s *Storage) StaggerBases(index, of int) {
	s.chain.Stagger(index, of, s.cfg.Now, s.cfg.BaseRate)
}

// Chain returns the files of the newest durable checkpoint's chain, base
// first: after Open, the one the replica restarts from.
func (s *Storage) Chain() []Link { return s.chain.Links() }

// CheckpointWritten records that the checkpoint at op is durable (its
// WriteCheckpoint returned), keeps the checkpoint files named in keep (the
// chains of the checkpoints served), and removes the others.
func (s *Storage) CheckpointWritten(op uint64, keep ...string) {
	s.ckptOp = max(s.ckptOp, op)
	keep = append(keep, s.chain.Names()...) // a base may have been switched in since
	if b := s.chain.Basing(); b != 0 {
		keep = append(keep, CheckpointFile(b)+".tmp") // being written
	}
	s.removeOtherCheckpoints(keep...)
}

// fileOpts are how writeFile writes: sync, durably (written back as it
// goes, fsynced at the end); rate, if positive, paced to that many bytes
// per second.
type fileOpts struct {
	sync  bool
	rate  int64
	abort *atomic.Bool // with rate: set, the write fails with ErrBaseAborted
}

// writeFile streams write's bytes into dir/name through a temporary file,
// renamed into place; with o.sync, the file is written back as it goes
// (writeBack) and fsynced at the end, then the directory. It returns the
// file's size.
func writeFile(fsys wal.FS, dir, name string, o fileOpts, write func(io.Writer) (int64, error), tee io.Writer) (uint64, error) {
	sync := o.sync
	tmp := filepath.Join(dir, name+".tmp")
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	var out io.Writer = f
	if sync {
		out = &writeBack{f: f}
	}
	if o.rate > 0 {
		out = newPaced(out, o.rate, o.abort)
	}
	if tee != nil {
		out = io.MultiWriter(out, tee)
	}
	// Encoding a checkpoint computes for seconds at a GiB: it yields the
	// processor as it goes, so that the replica's loop never waits behind
	// it (package yield).
	out = &yield.Writer{W: out}
	bw := checkpointBuffers.Get().(*bufio.Writer)
	bw.Reset(out)
	n, werr := write(bw)
	ferr := bw.Flush()
	bw.Reset(nil)
	checkpointBuffers.Put(bw)
	var serr error
	if sync {
		serr = f.Sync()
	}
	cerr := f.Close()
	if err := errors.Join(werr, ferr, serr, cerr); err != nil {
		_ = fsys.Remove(tmp)
		return 0, err
	}
	if err := fsys.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return 0, err
	}
	if sync {
		return uint64(n), fsys.SyncDir(dir)
	}
	return uint64(n), nil
}

// checkpointBuffer is the write buffer of a checkpoint file: the size of
// the encoding's chunks. (A 1 MiB buffer, allocated per checkpoint, was
// 14% of the simulator's CPU in durable runs, where checkpoints are small
// and frequent.)
const checkpointBuffer = 64 << 10

// checkpointBuffers recycles the write buffers of checkpoint files (the
// simulator writes thousands of small checkpoints).
var checkpointBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, checkpointBuffer) }}

// writebackBytes is how much of a durable checkpoint file is written
// back to the disk at a time (wal.WriteBack), before the next is written
// to the file. Until the nineteenth session a checkpoint file was fsynced
// at its end (a delta: 8 MiB at once) or, paced, every 2 MiB (a base), so
// that the kernel would not write a GiB-sized base back in one burst at its
// final fsync (benchmarks.md, "Checkpoint stalls", ninth session). But
// every such fsync still put 2–8 MiB in front of the log's fsyncs, several
// times a second per replica, and they waited behind it. Three replicas
// on one disk, alternating runs: p99 36–41 ms written as before, 25–29 ms
// written back a quarter MiB at a time; the log alone on the disk (the
// checkpoints on tmpfs) gave 24 ms (benchmarks.md, nineteenth session).
const writebackBytes = wal.WriteBackPiece

// writeBackEvery is wal.WriteBack; tests count its calls.
var writeBackEvery = wal.WriteBack

// writeBack writes to its file and, every writebackBytes, writes those
// bytes back to the disk and waits for them, without making anything
// durable: writeFile's final fsync does that, and then finds nothing left
// to write but the file's metadata.
type writeBack struct {
	f       wal.File
	off     int64 // where the bytes not yet written back start
	pending int64
}

// Write writes p in pieces that end where the next writeback is due.
func (w *writeBack) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		k := min(len(p), int(writebackBytes-w.pending))
		n, err := w.f.Write(p[:k])
		done += n
		w.pending += int64(n)
		if err == nil && w.pending >= writebackBytes {
			err = writeBackEvery(w.f, w.off, w.pending)
			w.off, w.pending = w.off+w.pending, 0
		}
		if err != nil {
			return done, err
		}
		p = p[n:]
	}
	return done, nil
}

// truncateLog drops the write-ahead log below the replica's log base once a
// durable checkpoint covers it; a witness's at once (it has no checkpoint:
// its base follows the primary's).
func (s *Storage) truncateLog(logBase uint64) error {
	upTo := min(logBase, s.ckptOp)
	if s.cfg.Witness {
		upTo = logBase
	}
	if upTo <= s.truncated {
		return nil
	}
	if err := s.log.TruncatePrefix(upTo + 1); err != nil {
		return err
	}
	s.truncated = upTo
	return nil
}

// removeOtherCheckpoints removes every checkpoint file but those in keep,
// through Config.Discard if set; a failure only leaves a stale file
// behind. The list is made here, on the caller's goroutine, so that a
// file created after it (by the writer's lanes) is never in it.
func (s *Storage) removeOtherCheckpoints(keep ...string) {
	stale := s.otherCheckpoints(keep)
	if len(stale) == 0 {
		return
	}
	if s.cfg.Discard != nil && !s.cfg.bugs.RemoveCheckpointsInline {
		s.cfg.Discard(stale)
		return
	}
	for _, p := range stale {
		_ = s.cfg.FS.Remove(p)
	}
}

// otherCheckpoints lists the paths of the checkpoint files (and their
// temporaries) in the directory but those named in keep.
func (s *Storage) otherCheckpoints(keep []string) []string {
	entries, err := s.cfg.FS.ReadDir(s.cfg.Dir)
	if err != nil {
		return nil
	}
	var stale []string
	for _, e := range entries {
		n := e.Name()
		ours := strings.HasSuffix(n, checkpointExt) || strings.HasSuffix(n, checkpointExt+".tmp") ||
			strings.HasSuffix(n, deltaExt) || strings.HasSuffix(n, deltaExt+".tmp")
		if !slices.Contains(keep, n) && strings.HasPrefix(n, checkpointPrefix) && ours {
			stale = append(stale, filepath.Join(s.cfg.Dir, n))
		}
	}
	return stale
}

// opener is implemented by a file system that can stream a file (the
// operating system's); others are read whole.
type opener interface {
	Open(name string) (io.ReadCloser, error)
}

// openFunc returns a function that opens the file path of fsys for
// reading: streamed where fsys can, read whole otherwise.
func openFunc(fsys wal.FS, path string) func() (io.ReadCloser, error) {
	if o, ok := fsys.(opener); ok {
		return func() (io.ReadCloser, error) { return o.Open(path) }
	}
	return func() (io.ReadCloser, error) {
		b, err := fsys.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return memFile{bytes.NewReader(b)}, nil
	}
}

// memFile is a file read whole; its Len lets a reader size its buffer.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// loadCheckpoint reads the checkpoint the superblock names — the newest
// link of a chain, walked back to its base — or nil if none was written.
// A checkpoint whose files fail their checks (any of them, or the chain's
// links) is moved aside, all its files, and reported in moved: the
// replica then fetches the state from its peers.
func (s *Storage) loadCheckpoint() (ck *core.Checkpoint, moved string, err error) {
	sb, err := wal.ReadSuperblock(s.cfg.FS, s.cfg.Dir)
	if errors.Is(err, wal.ErrNoSuperblock) || (err == nil && sb.CheckpointName == "") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	links, err := readChain(s.cfg.FS, s.cfg.Dir, sb.CheckpointName, sb.CheckpointOp)
	if err == nil {
		c := core.ReadCheckpoint(sb.CheckpointOp, OpenChain(s.cfg.FS, s.cfg.Dir, links))
		if err = c.Verify(); err == nil { // streams the files where it can: never whole in memory
			s.chain.reset(links)
			return c, "", nil
		}
	}
	if !errors.Is(err, fs.ErrNotExist) || len(links) > 0 {
		names := []string{sb.CheckpointName}
		for _, l := range links {
			names = append(names, l.Name)
		}
		moved, _ = s.quarantine(names...)
	}
	return nil, moved, fmt.Errorf("checkpoint %s (op %d): %w", sb.CheckpointName, sb.CheckpointOp, err)
}
