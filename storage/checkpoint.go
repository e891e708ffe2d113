package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// Checkpoint files live in the data directory as checkpoint-<op>.vrck. A
// checkpoint is written atomically (wal.WriteFileAtomic: a temporary file,
// fsynced, renamed into place, the directory fsynced); then the superblock
// names it; then older checkpoint files (and temporary files a crash left)
// are removed and the write-ahead log is truncated below the replica's log
// base. A crash at any point leaves either the old checkpoint named by the
// superblock, with the log it needs, or the new one.

const (
	checkpointPrefix = "checkpoint-"
	checkpointExt    = ".vrck"
)

// checkpointFile is the file name of the checkpoint at op.
func checkpointFile(op uint64) string {
	return fmt.Sprintf("%s%020d%s", checkpointPrefix, op, checkpointExt)
}

// saveCheckpoint makes ck durable, records it in the superblock with the
// hard state hs, and removes older checkpoint files.
func (s *Storage) saveCheckpoint(ck *core.Checkpoint, hs core.HardState) error {
	if ck.Op <= s.ckptOp {
		return nil // already durable (a restart re-takes the one it loaded)
	}
	name := checkpointFile(ck.Op)
	if err := wal.WriteFileAtomic(s.cfg.FS, s.cfg.Dir, name, ck.Data); err != nil {
		return fmt.Errorf("write checkpoint at op %d: %w", ck.Op, err)
	}
	sb := wal.Superblock{CheckpointOp: ck.Op, CheckpointName: name, Owner: s.cfg.Owner, Owned: true}.WithHardState(hs)
	if err := wal.WriteSuperblock(s.cfg.FS, s.cfg.Dir, sb); err != nil {
		return fmt.Errorf("superblock for checkpoint at op %d: %w", ck.Op, err)
	}
	s.ckptOp = ck.Op
	s.removeOtherCheckpoints(name)
	return nil
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

// removeOtherCheckpoints removes every checkpoint file but keep; a failure
// only leaves a stale file behind.
func (s *Storage) removeOtherCheckpoints(keep string) {
	entries, err := s.cfg.FS.ReadDir(s.cfg.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		stale := strings.HasSuffix(n, checkpointExt) || strings.HasSuffix(n, checkpointExt+".tmp")
		if n != keep && strings.HasPrefix(n, checkpointPrefix) && stale {
			_ = s.cfg.FS.Remove(filepath.Join(s.cfg.Dir, n))
		}
	}
}

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
	data, err := s.cfg.FS.ReadFile(filepath.Join(s.cfg.Dir, sb.CheckpointName))
	if err == nil {
		c := core.Checkpoint{Op: sb.CheckpointOp, Data: data}
		if err = c.Verify(); err == nil {
			return &c, "", nil
		}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		moved, _ = s.quarantine(sb.CheckpointName)
	}
	return nil, moved, fmt.Errorf("checkpoint %s (op %d): %w", sb.CheckpointName, sb.CheckpointOp, err)
}
