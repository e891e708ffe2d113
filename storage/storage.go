// Package storage is a replica's durable state in durable mode: the
// write-ahead log (package wal), the superblock and the checkpoint files
// in one data directory, on any wal.FS. It decides how a replica restarts
// (from its disk, or through the recovery protocol when the disk cannot be
// trusted) and makes each Output's durable part durable as a
// driver.Storage. `vr server --data-dir` runs it on the operating system's
// file system; the simulator runs the same code on simulated disks that
// fault its reads and writes.
package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/wal"
)

// SyncMode says when durable mode's writes reach the disk.
type SyncMode string

const (
	// SyncAlways (the default) makes every write durable before any
	// message or reply that depends on it leaves the replica. The whole
	// cluster may crash at once and lose nothing acknowledged.
	SyncAlways SyncMode = "sync"
	// SyncAsync writes before sending and leaves syncing to the caller
	// (Sync, every AsyncInterval), as in the seed post. A crash loses up
	// to that much; such a replica may have forgotten PrepareOKs it sent,
	// so it restarts through the recovery protocol, and a crash of f+1 or
	// more replicas within one interval can lose acknowledged writes.
	SyncAsync SyncMode = "async"
)

// AsyncInterval is how often async mode should sync.
const AsyncInterval = 50 * time.Millisecond

// Config configures a replica's storage.
type Config struct {
	FS          wal.FS // default wal.OS
	Dir         string // the data directory
	Logger      *slog.Logger
	Owner       wal.Owner // the replica the directory belongs to
	Sync        SyncMode  // default SyncAlways
	SegmentSize int64     // the log's segment size (default: wal's)
	// Preallocate prepares the log's next segment in the background
	// (wal.Options.Preallocate): fsyncs then write data only. Background
	// runs its jobs (default: a goroutine each; the simulator runs them
	// in place).
	Preallocate bool
	Background  func(job func())
	// RawIO is the log's wal.Options.RawIO: set it when Persist runs on
	// a loop that waits for it anyway (the node's, in sync mode).
	RawIO bool
	// Now names the directories damaged files are moved into
	// (corrupt-<nanoseconds>); default time.Now. The simulator passes its
	// simulated clock.
	Now func() time.Time
	// Wait, if set, is called with the driver's done callback once a
	// write returned, instead of calling done at once: the simulator's
	// disks call it when the fsyncs the write issued complete in
	// simulated time.
	Wait func(done func())
	// OnWrite and OnSync, if set, see each write to the log (the bytes of
	// the entries it appended) and how long each sync took (in sync mode,
	// the group's write and its sync together: one WriteSync): the node's
	// metrics. OnSync may be called from the async sync loop's goroutine.
	OnWrite func(bytes int)
	OnSync  func(time.Duration)
	// Witness stores a witness's log: it writes no checkpoint, and its log
	// goes up to the replica's log base at once (core.RoleWitness).
	Witness bool
	// Discard, if set, removes checkpoint files that are no longer needed
	// (their full paths) off the caller's goroutine; nil: they are removed
	// at once with FS.Remove. Removing a GiB-sized base file took up to a
	// second on ext4 under load, which on the replica's loop stopped it
	// from handling anything and made its peers start view changes
	// (benchmarks.md, "Why views changed, and what changed"). Each path listed is stale for
	// good: no later checkpoint takes its name. The log's removed segments
	// go to it too (wal.Options.Discard).
	Discard func(paths []string)
	// BaseRate, if positive, bounds how fast a new base is written on the
	// writer's background lane (WriteBase), in bytes per second: written
	// as fast as the disk takes it, three replicas' GiB-sized bases on one
	// disk made the log's fsyncs wait 0.1–0.55 s behind their writeback
	// (benchmarks.md, "Why views changed, and what changed"). It sleeps: the simulator
	// leaves it 0.
	BaseRate int64

	bugs plant.Storage
}

// Plant plants deliberate storage bugs (see package plant).
func (c *Config) Plant(b plant.Storage) { c.bugs = b }

func (c Config) withDefaults() Config {
	if c.FS == nil {
		c.FS = wal.OS
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sync == "" {
		c.Sync = SyncAlways
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Wait == nil {
		c.Wait = func(done func()) { done() }
	}
	return c
}

// Storage is an open data directory. It implements driver.Storage; its
// methods must be called from one goroutine, except Sync.
type Storage struct {
	cfg       Config
	lock      *wal.DirLock
	log       *wal.WAL
	last      core.HardState // the hard state last written
	written   bool           // the log holds a replica state to restart from
	ckptOp    uint64         // op of the newest durable checkpoint (0: none)
	chain     Chain          // its files; owned by WriteCheckpoint once open
	truncated uint64         // the log was truncated up to this op
	repaired  bool           // Open moved a damaged log aside
	// abortBases fails paced base writes (AbortBases); shared with the
	// writer's base lane.
	abortBases atomic.Bool
}

// Start is how Open says a replica starts.
type Start struct {
	// Restart is the state to restart from (core.Config.Restart), or nil
	// when the replica must start through the handshake or the recovery
	// protocol.
	Restart *core.Durable
	// MustRecover: the disk held a state it cannot resume from (async
	// mode, a repaired log): the replica is no new member, whatever its
	// flags say, and must recover.
	MustRecover bool
}

// Open locks the data directory, checks that it belongs to cfg.Owner, and
// decides how the replica starts: from its disk, or through the recovery
// protocol when the disk cannot be trusted (async mode, or a damaged log,
// which is moved aside). A directory that another process holds, or that
// records another replica or cluster, is refused with an error matching
// wal.ErrLocked or wal.ErrWrongOwner.
func Open(cfg Config) (*Storage, Start, error) {
	cfg = cfg.withDefaults()
	lock, err := wal.LockDir(cfg.FS, cfg.Dir)
	if err != nil {
		return nil, Start{}, fmt.Errorf("open data dir %s: %w", cfg.Dir, err)
	}
	if !lock.Enforced() {
		cfg.Logger.Warn("this platform cannot lock the data directory: make sure no other process uses it",
			"data_dir", cfg.Dir)
	}
	s := &Storage{cfg: cfg, lock: lock}
	st, err := s.open()
	if err != nil {
		_ = s.Close()
		return nil, Start{}, err
	}
	return s, st, nil
}

// Mode returns the storage's sync mode.
func (s *Storage) Mode() SyncMode { return s.cfg.Sync }

// Sync makes every write durable (async mode's background sync);
// Config.OnSync sees how long it took.
func (s *Storage) Sync() error { return s.timedSync(s.log.Sync) }

// timedSync runs sync, a sync of the log, and tells Config.OnSync how long
// it took.
func (s *Storage) timedSync(sync func() error) error {
	if s.cfg.OnSync == nil {
		return sync()
	}
	start := time.Now()
	err := sync()
	s.cfg.OnSync(time.Since(start))
	return err
}

// Close closes the log and releases the data directory.
func (s *Storage) Close() error {
	if s == nil {
		return nil
	}
	var err error
	if s.log != nil {
		err = s.log.Close()
	}
	return errors.Join(err, s.lock.Release())
}

// walOptions are the options of the log.
func (s *Storage) walOptions() wal.Options {
	o := wal.Options{Dir: s.cfg.Dir, Logger: s.cfg.Logger, SegmentSize: s.cfg.SegmentSize, FS: s.cfg.FS,
		Preallocate: s.cfg.Preallocate, Background: s.cfg.Background, Discard: s.cfg.Discard,
		RawIO: s.cfg.RawIO}
	o.Plant(s.cfg.bugs.WAL)
	return o
}
