package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// SyncMode says when durable mode's writes reach the disk.
type SyncMode string

const (
	// SyncAlways (the default) makes every write durable before any
	// message or reply that depends on it leaves the replica. The whole
	// cluster may crash at once and lose nothing acknowledged.
	SyncAlways SyncMode = "sync"
	// SyncAsync writes before sending but syncs in the background every
	// AsyncInterval, as in the seed post. A crash loses up to that much;
	// such a replica may have forgotten PrepareOKs it sent, so it restarts
	// through the recovery protocol, and a crash of f+1 or more replicas
	// within one interval can lose acknowledged writes.
	SyncAsync SyncMode = "async"
)

// AsyncInterval is how often async mode syncs.
const AsyncInterval = 50 * time.Millisecond

// storage is a node's durable state: the write-ahead log, the superblock
// and the newest checkpoint file.
type storage struct {
	dir       string
	log       *wal.WAL
	mode      SyncMode
	last      core.HardState // the hard state last written
	written   bool           // the log holds a replica state to restart from
	ckptOp    uint64         // op of the newest durable checkpoint (0: none)
	truncated uint64         // the log was truncated up to this op
}

// openStorage opens the data directory and decides how the replica starts:
// from its disk, or through the recovery protocol when the disk cannot be
// trusted (async mode, or a corrupt log, which is moved aside).
func openStorage(cfg *Config) (*storage, *core.Durable, error) {
	opts := wal.Options{Dir: cfg.DataDir, Logger: cfg.Logger, SegmentSize: cfg.SegmentSize}
	w, rep, err := wal.Open(opts)
	var ce *wal.CorruptError
	if errors.As(err, &ce) {
		moved, merr := quarantine(cfg.DataDir)
		if merr != nil {
			return nil, nil, fmt.Errorf("%w; and moving it aside failed: %v", err, merr)
		}
		cfg.Logger.Error("corrupt log: moved aside, repairing from peers by the recovery protocol",
			"err", err, "moved_to", moved)
		cfg.NewCluster = false
		w, rep, err = wal.Open(opts)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open data dir %s: %w", cfg.DataDir, err)
	}
	s := &storage{dir: cfg.DataDir, log: w, mode: cfg.Sync}
	if !rep.HasHard {
		// Nothing was ever written: a new member (the --new-cluster
		// handshake) or a replica that lost its disk (recovery). No marker
		// can tell them apart safely: a replica whose handshake fell back
		// to recovery must not later pass for a new member.
		return s, nil, nil
	}
	if cfg.Sync == SyncAsync {
		// The disk may lack promises this replica made: recover, then
		// rewrite the log from op 1.
		cfg.Logger.Info("async mode: restarting through the recovery protocol")
		cfg.NewCluster = false
		return s, nil, nil
	}
	s.last, s.written = rep.Hard, true
	if rep.TornBytes > 0 {
		cfg.Logger.Warn("cut a torn write at the end of the log", "bytes", rep.TornBytes)
	}
	ck, moved, err := loadCheckpoint(cfg.DataDir)
	if err != nil {
		cfg.Logger.Error("bad checkpoint: moved aside; the replica fetches the state from its peers",
			"err", err, "moved_to", moved)
	}
	d := &core.Durable{HardState: rep.Hard, Checkpoint: ck, LogBase: logBase(rep, ck), Log: rep.Entries}
	if ck != nil {
		s.ckptOp = ck.Op
	}
	s.truncated = d.LogBase
	return s, d, nil
}

// logBase is the op below the replayed log: ops at or below it are covered
// by a checkpoint. An empty log (truncated, or reset) ends at its base, and
// its commit-number, which is never below a checkpoint's op and never above
// the log's end, equals it.
func logBase(rep wal.Replay, ck *core.Checkpoint) uint64 {
	if len(rep.Entries) > 0 {
		return rep.FirstOp - 1
	}
	base := max(rep.Base, rep.Hard.Commit)
	if ck != nil {
		base = max(base, ck.Op)
	}
	return base
}

// quarantine moves a corrupt data directory's log and superblock aside,
// keeping them for study. The replica then recovers from its peers.
func quarantine(dir string) (string, error) {
	dst := filepath.Join(dir, fmt.Sprintf("corrupt-%d", time.Now().UnixNano()))
	if err := os.Mkdir(dst, 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"log", "superblock.a", "superblock.b"} {
		err := os.Rename(filepath.Join(dir, name), filepath.Join(dst, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return dst, err
		}
	}
	return dst, nil
}

// persist writes what out changed as one atomic group and, in sync mode,
// waits until it is durable. Only then may out's messages leave. A
// recovering replica persists nothing until it has recovered (a restart
// then recovers again); its first write records its whole state, so that
// from then on it restarts from the disk.
func (s *storage) persist(out core.Output, status core.Status) error {
	if status == core.StatusRecovering && !s.written {
		return nil
	}
	if err := s.writeLog(out); err != nil {
		return err
	}
	if out.Checkpoint == nil {
		return nil
	}
	// The log the checkpoint was taken from is durable (sync mode), so the
	// checkpoint may replace the log up to the replica's base.
	if err := s.saveCheckpoint(out.Checkpoint, out.HardState); err != nil {
		return err
	}
	return s.truncateLog(out.LogBase)
}

// writeLog writes out's log changes and hard state as one group and, in
// sync mode, waits until they are durable.
func (s *storage) writeLog(out core.Output) error {
	h := out.HardState
	hardChanged := h.View != s.last.View || h.LastNormalView != s.last.LastNormalView ||
		h.PromisedView != s.last.PromisedView || h.AnnouncedView != s.last.AnnouncedView
	if out.LogDirtyFrom == 0 && !hardChanged && s.written {
		return nil
	}
	b := wal.Batch{From: out.LogDirtyFrom, Entries: out.Entries, Hard: &h, Reset: out.LogReset}
	if err := s.log.Write(b); err != nil {
		return err
	}
	s.last, s.written = h, true
	if s.mode == SyncAsync {
		return nil
	}
	return s.log.Sync()
}

// syncLoop syncs in the background in async mode.
func (s *storage) syncLoop(ctx context.Context) {
	if s.mode != SyncAsync {
		return
	}
	t := time.NewTicker(AsyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.log.Sync()
		}
	}
}

func (s *storage) close() error {
	if s == nil {
		return nil
	}
	return s.log.Close()
}
