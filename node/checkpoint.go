package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// Checkpoint files live in the data directory as checkpoint-<op>.vrck. A
// checkpoint is written atomically, off the node's loop (ckptwriter.go: a
// temporary file, fsynced, renamed into place, the directory fsynced); then
// the superblock names it; then checkpoint files older than the previous
// one (and temporary files a crash left) are removed, and the write-ahead
// log is truncated below the replica's log base with the next write. A crash at any point leaves either the old
// checkpoint named by the superblock, with the log it needs, or the new one.

const (
	checkpointPrefix = "checkpoint-"
	checkpointExt    = ".vrck"
)

// checkpointFile is the file name of the checkpoint at op.
func checkpointFile(op uint64) string {
	return fmt.Sprintf("%s%020d%s", checkpointPrefix, op, checkpointExt)
}

// truncateLog drops the write-ahead log below the replica's log base once a
// durable checkpoint covers it.
func (s *storage) truncateLog(logBase uint64) error {
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
func removeOtherCheckpoints(dir string, keep ...string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		stale := strings.HasSuffix(n, checkpointExt) || strings.HasSuffix(n, checkpointExt+".tmp")
		if !slices.Contains(keep, n) && strings.HasPrefix(n, checkpointPrefix) && stale {
			_ = os.Remove(filepath.Join(dir, n))
		}
	}
}

// loadCheckpoint reads the checkpoint the superblock names, or nil if none
// was written. A checkpoint that fails its checks is moved aside and
// reported in moved: the replica then fetches the state from its peers.
func loadCheckpoint(dir string) (ck *core.Checkpoint, moved string, err error) {
	sb, err := wal.ReadSuperblock(dir)
	if errors.Is(err, wal.ErrNoSuperblock) || (err == nil && sb.CheckpointName == "") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, sb.CheckpointName)
	c := core.ReadCheckpoint(sb.CheckpointOp, func() (io.ReadCloser, error) { return os.Open(path) })
	if err = c.Verify(); err == nil { // streams the file: never whole in memory
		return c, "", nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		dst := filepath.Join(dir, fmt.Sprintf("corrupt-%d", time.Now().UnixNano()))
		if merr := os.MkdirAll(dst, 0o755); merr == nil && os.Rename(path, filepath.Join(dst, sb.CheckpointName)) == nil {
			moved = dst
		}
	}
	return nil, moved, fmt.Errorf("checkpoint %s (op %d): %w", sb.CheckpointName, sb.CheckpointOp, err)
}
