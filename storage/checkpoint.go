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
	"strings"
	"sync"

	"github.com/vr-go/vr/core"
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
	return fmt.Sprintf("%s%020d%s", checkpointPrefix, op, checkpointExt)
}

// Dir returns the data directory.
func (s *Storage) Dir() string { return s.cfg.Dir }

// CheckpointOp returns the op of the newest durable checkpoint (0: none).
func (s *Storage) CheckpointOp() uint64 { return s.ckptOp }

// WriteCheckpoint makes ck durable as a file and names it, with the hard
// state hs, in the superblock. It touches only the checkpoint files and the
// superblock, never the log, so it may run on another goroutine than the
// rest of Storage (the node's checkpoint writer); call CheckpointWritten on
// the Storage's goroutine once it returned. It returns the file's size.
func (s *Storage) WriteCheckpoint(ck *core.Checkpoint, hs core.HardState) (uint64, error) {
	name := CheckpointFile(ck.Op)
	size, err := WriteCheckpointFile(s.cfg.FS, s.cfg.Dir, name, ck, true)
	if err != nil {
		return 0, fmt.Errorf("write checkpoint at op %d: %w", ck.Op, err)
	}
	sb := wal.Superblock{CheckpointOp: ck.Op, CheckpointName: name, Owner: s.cfg.Owner, Owned: true}.WithHardState(hs)
	if err := wal.WriteSuperblock(s.cfg.FS, s.cfg.Dir, sb); err != nil {
		return 0, fmt.Errorf("superblock for checkpoint at op %d: %w", ck.Op, err)
	}
	return size, nil
}

// CheckpointWritten records that the checkpoint at op is durable (its
// WriteCheckpoint returned), keeps the checkpoint files named in keep, and
// removes the others.
func (s *Storage) CheckpointWritten(op uint64, keep ...string) {
	s.ckptOp = max(s.ckptOp, op)
	s.removeOtherCheckpoints(keep...)
}

// WriteCheckpointFile streams ck into dir/name through a temporary file,
// renamed into place; with sync, the file is fsynced every syncEveryBytes
// and at the end, then the directory, so that the checkpoint is durable
// when it returns. Diskless nodes use it without sync for their scratch
// copies.
func WriteCheckpointFile(fsys wal.FS, dir, name string, ck *core.Checkpoint, sync bool) (uint64, error) {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	var out io.Writer = f
	if sync {
		out = &syncEvery{f: f}
	}
	bw := checkpointBuffers.Get().(*bufio.Writer)
	bw.Reset(out)
	n, werr := ck.WriteTo(bw)
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

// syncEveryBytes is how much of a checkpoint is written between fsyncs.
const syncEveryBytes = 64 << 20

// syncEvery fsyncs its file every syncEveryBytes, so that the kernel writes
// a large checkpoint back as it goes rather than in one burst at the final
// fsync, which the write-ahead log's own fsyncs (a segment roll, sync
// mode) would then queue behind: measured, that burst stalled the loop
// (benchmarks.md, "Checkpoint stalls").
type syncEvery struct {
	f       wal.File
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

// truncateLog drops the write-ahead log below the replica's log base once a
// durable checkpoint covers it.
func (s *Storage) truncateLog(logBase uint64) error {
	upTo := min(logBase, s.ckptOp)
	if upTo <= s.truncated {
		return nil
	}
	if err := s.log.TruncatePrefix(upTo + 1); err != nil {
		return err
	}
	s.truncated = upTo
	return nil
}

// removeOtherCheckpoints removes every checkpoint file but those in keep;
// a failure only leaves a stale file behind.
func (s *Storage) removeOtherCheckpoints(keep ...string) {
	entries, err := s.cfg.FS.ReadDir(s.cfg.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		stale := strings.HasSuffix(n, checkpointExt) || strings.HasSuffix(n, checkpointExt+".tmp")
		if !slices.Contains(keep, n) && strings.HasPrefix(n, checkpointPrefix) && stale {
			_ = s.cfg.FS.Remove(filepath.Join(s.cfg.Dir, n))
		}
	}
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

// loadCheckpoint reads the checkpoint the superblock names, or nil if none
// was written. A checkpoint that fails its checks is moved aside and
// reported in moved: the replica then fetches the state from its peers.
func (s *Storage) loadCheckpoint() (ck *core.Checkpoint, moved string, err error) {
	sb, err := wal.ReadSuperblock(s.cfg.FS, s.cfg.Dir)
	if errors.Is(err, wal.ErrNoSuperblock) || (err == nil && sb.CheckpointName == "") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	c := core.ReadCheckpoint(sb.CheckpointOp, openFunc(s.cfg.FS, filepath.Join(s.cfg.Dir, sb.CheckpointName)))
	if err = c.Verify(); err == nil { // streams the file where it can: never whole in memory
		return c, "", nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		moved, _ = s.quarantine(sb.CheckpointName)
	}
	return nil, moved, fmt.Errorf("checkpoint %s (op %d): %w", sb.CheckpointName, sb.CheckpointOp, err)
}
