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
// and the newest checkpoint file, in a data directory that the process
// holds locked while it runs.
type storage struct {
	dir       string
	lock      *wal.DirLock
	owner     wal.Owner
	opts      wal.Options
	log       *wal.WAL
	mode      SyncMode
	last      core.HardState // the hard state last written
	written   bool           // the log holds a replica state to restart from
	ckptOp    uint64         // op of the newest durable checkpoint (0: none)
	truncated uint64         // the log was truncated up to this op
}

// openStorage locks the data directory, checks that it belongs to this
// replica, and decides how the replica starts: from its disk, or through
// the recovery protocol when the disk cannot be trusted (async mode, or a
// damaged log, which is moved aside). A directory that another process
// holds, or that records another replica or cluster, is refused with an
// error matching wal.ErrLocked or wal.ErrWrongOwner.
func openStorage(cfg *Config) (*storage, *core.Durable, error) {
	lock, err := wal.LockDir(cfg.DataDir)
	if err != nil {
		return nil, nil, fmt.Errorf("open data dir %s: %w", cfg.DataDir, err)
	}
	if !lock.Enforced() {
		cfg.Logger.Warn("this platform cannot lock the data directory: make sure no other process uses it",
			"data_dir", cfg.DataDir)
	}
	s := &storage{dir: cfg.DataDir, lock: lock, mode: cfg.Sync,
		owner: wal.Owner{ClusterID: cfg.ClusterID, Replica: uint64(cfg.Index)},
		opts:  wal.Options{Dir: cfg.DataDir, Logger: cfg.Logger, SegmentSize: cfg.SegmentSize}}
	d, err := s.open(cfg)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	return s, d, nil
}

// open opens the log and returns the state to restart from, or nil when
// the replica must start through the handshake or the recovery protocol.
func (s *storage) open(cfg *Config) (*core.Durable, error) {
	rep, err := s.openLog(cfg)
	if err != nil {
		return nil, err
	}
	if !rep.HasHard {
		// Nothing was ever written: a new member (the --new-cluster
		// handshake) or a replica that lost its disk (recovery). No marker
		// can tell them apart safely: a replica whose handshake fell back
		// to recovery must not later pass for a new member. But a
		// checkpoint means the log held a state: its files were lost.
		if sb, err := wal.ReadSuperblock(s.dir); err == nil && sb.CheckpointOp > 0 {
			return nil, s.repairAfter(cfg, fmt.Errorf("%w: the superblock names checkpoint %s (op %d) but the log holds no state",
				core.ErrBadDurableState, sb.CheckpointName, sb.CheckpointOp))
		}
		return nil, nil
	}
	if cfg.Sync == SyncAsync {
		// The disk may lack promises this replica made: recover, then
		// rewrite the log from op 1.
		cfg.Logger.Info("async mode: restarting through the recovery protocol")
		cfg.NewCluster = false
		return nil, nil
	}
	if rep.TornBytes > 0 {
		cfg.Logger.Warn("cut a torn write at the end of the log", "bytes", rep.TornBytes)
	}
	ck, moved, err := loadCheckpoint(s.dir)
	if err != nil {
		cfg.Logger.Error("bad checkpoint: moved aside; the replica fetches the state from its peers",
			"err", err, "moved_to", moved)
	}
	d := &core.Durable{HardState: rep.Hard, Checkpoint: ck, LogBase: logBase(rep, ck), Log: rep.Entries}
	if err := checkDurable(d); err != nil {
		// The log and the checkpoint do not fit together: files were lost
		// or replaced in a way the log itself cannot notice.
		return nil, s.repairAfter(cfg, err)
	}
	s.last, s.written = rep.Hard, true
	if ck != nil {
		s.ckptOp = ck.Op
	}
	s.truncated = d.LogBase
	return d, nil
}

// openLog claims the data directory for this replica and opens its log.
// Damage found there (a corrupt record, data a completed sync covered, a
// missing segment, a superblock with both slots bad) is repaired: the log
// is moved aside and the replica recovers from its peers.
func (s *storage) openLog(cfg *Config) (wal.Replay, error) {
	claim, err := wal.ClaimDir(s.dir, s.owner)
	switch {
	case errors.Is(err, wal.ErrCorrupt):
		return s.repair(cfg, err)
	case err != nil:
		return wal.Replay{}, fmt.Errorf("open data dir %s: %w", s.dir, err)
	case claim == wal.ClaimAdopted:
		cfg.Logger.Info("data directory adopted: it now records its owner", "data_dir", s.dir, "owner", s.owner.String())
	}
	w, rep, err := wal.Open(s.opts)
	switch {
	case errors.Is(err, wal.ErrCorrupt):
		return s.repair(cfg, err)
	case err != nil:
		return wal.Replay{}, fmt.Errorf("open data dir %s: %w", s.dir, err)
	}
	s.log = w
	return rep, nil
}

// repair moves the damaged log and superblock aside and opens an empty
// log: the replica then recovers from its peers with the recovery
// protocol, and its first write records its whole state again.
func (s *storage) repair(cfg *Config, cause error) (wal.Replay, error) {
	if s.log != nil {
		_ = s.log.Close()
		s.log = nil
	}
	moved, err := quarantine(s.dir)
	if err != nil {
		return wal.Replay{}, fmt.Errorf("%w; and moving it aside failed: %v", cause, err)
	}
	cfg.Logger.Error("corrupt log: moved aside, repairing from peers by the recovery protocol",
		"err", cause, "moved_to", moved)
	cfg.NewCluster = false
	if _, err := wal.ClaimDir(s.dir, s.owner); err != nil {
		return wal.Replay{}, fmt.Errorf("open data dir %s after moving its log aside: %w", s.dir, err)
	}
	w, rep, err := wal.Open(s.opts)
	if err != nil {
		return wal.Replay{}, fmt.Errorf("open data dir %s after moving its log aside: %w", s.dir, err)
	}
	s.log = w
	return rep, nil
}

// repairAfter is repair for damage found after the log was opened.
func (s *storage) repairAfter(cfg *Config, cause error) error {
	_, err := s.repair(cfg, cause)
	return err
}

// checkDurable rejects a durable state that the core would refuse as one
// no correct replica writes (core/restart.go), so that the node repairs it
// instead of failing to start again and again.
func checkDurable(d *core.Durable) error {
	hs, end := d.HardState, d.LogBase+uint64(len(d.Log))
	switch {
	case !(hs.LastNormalView <= hs.PromisedView && hs.PromisedView <= hs.View):
		return fmt.Errorf("%w: views %d <= %d <= %d do not hold", core.ErrBadDurableState,
			hs.LastNormalView, hs.PromisedView, hs.View)
	case hs.Commit > end:
		return fmt.Errorf("%w: commit %d beyond log end %d", core.ErrBadDurableState, hs.Commit, end)
	case d.Checkpoint != nil && d.Checkpoint.Op >= d.LogBase && d.Checkpoint.Op > end:
		return fmt.Errorf("%w: checkpoint at op %d beyond log end %d", core.ErrBadDurableState, d.Checkpoint.Op, end)
	}
	return nil
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
	// Checkpoints are written off the loop (ckptwriter.go); the log goes
	// only below the newest durable one (ckptOp), and the replica's base
	// moves only once a checkpoint is saved.
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

// close closes the log and releases the data directory.
func (s *storage) close() error {
	if s == nil {
		return nil
	}
	var err error
	if s.log != nil {
		err = s.log.Close()
	}
	if rerr := s.lock.Release(); err == nil {
		err = rerr
	}
	return err
}
