package storage

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// Persist implements driver.Storage: it writes what out changed and, in
// sync mode, waits until it is durable; then done (through Config.Wait).
// A non-nil error means a write failed: the replica must stop.
func (s *Storage) Persist(out *core.Output, status core.Status, done func()) error {
	if err := s.persist(out, status); err != nil {
		return err
	}
	s.cfg.Wait(done)
	return nil
}

// persist writes what out changed as one atomic group and, in sync mode,
// waits until it is durable. Only then may out's messages leave. A
// recovering replica persists nothing until it has recovered (a restart
// then recovers again, or, for a joiner that learns its new epoch's view,
// resumes the state its disk held before); its first write records its
// whole state, so that from then on it restarts from the disk.
func (s *Storage) persist(out *core.Output, status core.Status) error {
	if status == core.StatusRecovering {
		return nil
	}
	if s.cfg.bugs.TruncateBeforeCheckpoint && out.Checkpoint != nil {
		// Planted: the log goes before the checkpoint that covers it is
		// durable.
		if err := s.log.TruncatePrefix(out.Checkpoint.Op + 1); err != nil {
			return err
		}
	}
	if err := s.writeLog(out); err != nil {
		return err
	}
	// Checkpoints are written off the loop (WriteCheckpoint); the log goes
	// only below the newest one that is durable.
	return s.truncateLog(out.LogBase)
}

// writeLog writes out's log changes and hard state as one group and, in
// sync mode, waits until they are durable.
func (s *Storage) writeLog(out *core.Output) error {
	h := &out.HardState // the WAL copies it
	hardChanged := h.View != s.last.View || h.LastNormalView != s.last.LastNormalView ||
		h.PromisedView != s.last.PromisedView || h.AnnouncedView != s.last.AnnouncedView || h.Epoch != s.last.Epoch
	if out.LogDirtyFrom == 0 && !hardChanged && s.written {
		return nil
	}
	b := wal.Batch{From: out.LogDirtyFrom, Entries: out.Entries, Hard: h, Reset: out.LogReset}
	if err := s.write(b); err != nil {
		return err
	}
	s.last, s.written = *h, true
	if s.cfg.OnWrite != nil {
		n := 0
		for _, e := range out.Entries {
			n += e.Size()
		}
		s.cfg.OnWrite(n)
	}
	return nil
}

// write writes b to the log and, in sync mode, waits until it is durable:
// with WriteSync, which writes the group and its sync round's record in
// one call.
func (s *Storage) write(b wal.Batch) error {
	if s.cfg.Sync == SyncAsync {
		return s.log.Write(b)
	}
	return s.timedSync(func() error { return s.log.WriteSync(b) })
}
