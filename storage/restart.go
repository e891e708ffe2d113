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

// open opens the log and decides how the replica starts.
func (s *Storage) open() (Start, error) {
	s.removeTemporaries()
	rep, err := s.openLog()
	if err != nil || s.repaired {
		return Start{MustRecover: s.repaired}, err
	}
	if !rep.HasHard {
		// Nothing was ever written: a new member (the --new-cluster
		// handshake) or a replica that lost its disk (recovery). No marker
		// can tell them apart safely: a replica whose handshake fell back
		// to recovery must not later pass for a new member. But a
		// checkpoint means the log held a state: its files were lost.
		if sb, err := wal.ReadSuperblock(s.cfg.FS, s.cfg.Dir); err == nil && sb.CheckpointOp > 0 {
			return s.repairAfter(fmt.Errorf("%w: the superblock names checkpoint %s (op %d) but the log holds no state",
				core.ErrBadDurableState, sb.CheckpointName, sb.CheckpointOp))
		}
		return Start{}, nil
	}
	if s.cfg.Sync == SyncAsync {
		// The disk may lack promises this replica made: recover, then
		// rewrite the log from op 1.
		s.cfg.Logger.Info("async mode: restarting through the recovery protocol")
		return Start{MustRecover: true}, nil
	}
	if rep.TornBytes > 0 {
		s.cfg.Logger.Warn("cut a torn write at the end of the log", "bytes", rep.TornBytes-rep.TornZeros,
			"prepared_zeros", rep.TornZeros)
	}
	return s.resume(rep)
}

// removeTemporaries removes, at once, the checkpoint files a previous
// process left half-written (*.tmp). Handing them to Discard, which works
// in the background, raced with this process's own writes of the same
// names: a checkpoint at the same op reopened the temporary file, the
// discarder then truncated and removed it, and the rename into place
// failed ("rename checkpoint-…1400.vrck.tmp: no such file", e2e
// TestDurableWholeClusterCrash). Nothing of this process writes yet.
func (s *Storage) removeTemporaries() {
	entries, err := s.cfg.FS.ReadDir(s.cfg.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, checkpointPrefix) && strings.HasSuffix(n, ".tmp") {
			_ = s.cfg.FS.Remove(filepath.Join(s.cfg.Dir, n))
		}
	}
}

// removeUnchained removes, at once, every checkpoint file but those in
// keep: at a restart, the files of no chain. Handing them to Discard,
// which works in the background, raced with this process's own writes of
// the same names, as the temporaries did (removeTemporaries): a link the
// killed process wrote but never named (checkpoint-…3900.vrck) was
// written again by this process once it re-executed op 3900, the
// discarder then removed it, and the replica stopped ("open checkpoint at
// op 3900: no such file", e2e TestDurableWholeClusterCrash). Nothing of
// this process writes yet; a large stale base only delays the start.
func (s *Storage) removeUnchained(keep ...string) {
	if s.cfg.bugs.DiscardAtRestart {
		s.removeOtherCheckpoints(keep...) // planted: through Discard
		return
	}
	for _, p := range s.otherCheckpoints(keep) {
		_ = s.cfg.FS.Remove(p)
	}
}

// resume returns the state the replica restarts from: the log replayed and
// the checkpoint the superblock names.
func (s *Storage) resume(rep wal.Replay) (Start, error) {
	ck, moved, err := s.loadCheckpoint()
	if err != nil {
		s.cfg.Logger.Error("bad checkpoint: moved aside; the replica fetches the state from its peers",
			"err", err, "moved_to", moved)
	}
	d := &core.Durable{HardState: rep.Hard, Checkpoint: ck, LogBase: logBase(rep, ck), Log: rep.Entries}
	if err := checkDurable(d); err != nil {
		// The log and the checkpoint do not fit together: files were lost
		// or replaced in a way the log itself cannot notice.
		return s.repairAfter(err)
	}
	s.last, s.written = rep.Hard, true
	if ck != nil {
		s.ckptOp = ck.Op
		// Files of no chain (a link written but never named, a chain
		// replaced) go, so that the walk never meets a stale one.
		s.removeUnchained(s.chain.Names()...)
	}
	s.truncated = d.LogBase
	return Start{Restart: d}, nil
}

// openLog claims the data directory for this replica and opens its log.
// Damage found there (a corrupt record, data a completed sync covered, a
// missing segment, a superblock with both slots bad) is repaired: the log
// is moved aside and the replica recovers from its peers.
func (s *Storage) openLog() (wal.Replay, error) {
	claim, err := wal.ClaimDir(s.cfg.FS, s.cfg.Dir, s.cfg.Owner)
	switch {
	case errors.Is(err, wal.ErrCorrupt):
		return s.repair(err)
	case err != nil:
		return wal.Replay{}, fmt.Errorf("open data dir %s: %w", s.cfg.Dir, err)
	case claim == wal.ClaimAdopted:
		s.cfg.Logger.Info("data directory adopted: it now records its owner",
			"data_dir", s.cfg.Dir, "owner", s.cfg.Owner.String())
	}
	w, rep, err := wal.Open(s.walOptions())
	switch {
	case errors.Is(err, wal.ErrCorrupt):
		return s.repair(err)
	case err != nil:
		return wal.Replay{}, fmt.Errorf("open data dir %s: %w", s.cfg.Dir, err)
	}
	s.log = w
	return rep, nil
}

// repair moves the damaged log and superblock aside and opens an empty
// log: the replica then recovers from its peers with the recovery
// protocol, and its first write records its whole state again.
func (s *Storage) repair(cause error) (wal.Replay, error) {
	if s.log != nil {
		_ = s.log.Close()
		s.log = nil
	}
	s.repaired = true
	moved, err := s.quarantine("log", "superblock.a", "superblock.b")
	if err != nil {
		return wal.Replay{}, fmt.Errorf("%w; and moving it aside failed: %w", cause, err)
	}
	s.cfg.Logger.Error("corrupt log: moved aside, repairing from peers by the recovery protocol",
		"err", cause, "moved_to", moved)
	if _, err := wal.ClaimDir(s.cfg.FS, s.cfg.Dir, s.cfg.Owner); err != nil {
		return wal.Replay{}, fmt.Errorf("open data dir %s after moving its log aside: %w", s.cfg.Dir, err)
	}
	w, rep, err := wal.Open(s.walOptions())
	if err != nil {
		return wal.Replay{}, fmt.Errorf("open data dir %s after moving its log aside: %w", s.cfg.Dir, err)
	}
	s.log = w
	return rep, nil
}

// repairAfter is repair for damage found after the log was opened.
func (s *Storage) repairAfter(cause error) (Start, error) {
	_, err := s.repair(cause)
	return Start{MustRecover: true}, err
}

// quarantine moves the named files of the data directory (those that
// exist) into a new directory corrupt-<time>, keeping them for study, and
// returns its path.
func (s *Storage) quarantine(names ...string) (string, error) {
	fsys, dir := s.cfg.FS, s.cfg.Dir
	base := filepath.Join(dir, fmt.Sprintf("corrupt-%d", s.cfg.Now().UnixNano()))
	dst := base
	for k := 1; ; k++ {
		if _, err := fsys.ReadDir(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s-%d", base, k)
	}
	if err := fsys.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	for _, name := range names {
		err := fsys.Rename(filepath.Join(dir, name), filepath.Join(dst, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return dst, err
		}
	}
	return dst, fsys.SyncDir(dir)
}

// checkDurable rejects a durable state that the core would refuse as one
// no correct replica writes (core/restart.go), so that the replica repairs
// it instead of failing to start again and again.
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
