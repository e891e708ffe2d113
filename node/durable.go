package node

import (
	"context"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/storage"
	"github.com/vr-go/vr/wal"
)

// SyncMode says when durable mode's writes reach the disk (see
// storage.SyncMode).
type SyncMode = storage.SyncMode

const (
	// SyncAlways (the default) makes every write durable before any
	// message or reply that depends on it leaves the replica.
	SyncAlways = storage.SyncAlways
	// SyncAsync syncs in the background every AsyncInterval.
	SyncAsync = storage.SyncAsync
)

// AsyncInterval is how often async mode syncs.
const AsyncInterval = storage.AsyncInterval

// openStorage opens the data directory on the operating system's file
// system (package storage decides how the replica restarts) and returns
// the state to restart from, or nil. A disk that held a state it cannot
// resume from clears cfg.NewCluster: the replica recovers.
func openStorage(cfg *Config, m walMetrics, d *discarder) (*storage.Storage, *core.Durable, error) {
	st, start, err := storage.Open(storageConfig(cfg, m, d))
	if err != nil {
		return nil, nil, err
	}
	if start.MustRecover {
		cfg.NewCluster = false
	}
	return st, start.Restart, nil
}

// storageConfig configures the data directory of cfg.
func storageConfig(cfg *Config, m walMetrics, d *discarder) storage.Config {
	return storage.Config{
		Dir: cfg.DataDir, Logger: cfg.Logger, Sync: cfg.Sync, SegmentSize: cfg.SegmentSize,
		Preallocate: preallocate(cfg), // fsyncs of data only: docs/benchmarks.md, "Prepared segments"
		FS:          dataFS(cfg.DataDir),
		RawIO:       cfg.Sync == SyncAlways, // the loop waits for each write: wal.Options.RawIO
		Owner:       wal.Owner{ClusterID: cfg.ClusterID, Replica: uint64(cfg.Index)},
		OnWrite:     func(n int) { m.writeBytes.Add(float64(n)) },
		OnSync: func(d time.Duration) {
			m.syncTime.Observe(d.Seconds())
			if d >= slowIteration {
				cfg.Logger.Warn("slow fsync of the log", "replica", cfg.Index, "took", d.Round(time.Millisecond))
			}
		},
		Witness:  cfg.IsWitness(),
		Discard:  d.discard,
		BaseRate: max(cfg.CheckpointBaseRate, 0),
	}
}

// preallocate reports whether the log prepares its segments: unless
// turned off, or the data directory is on tmpfs, where an fsync writes
// nothing and filling segments with zeros was 4% of the CPU of an
// in-process 3-replica cluster durable on /dev/shm (docs/benchmarks.md,
// eighth session).
func preallocate(cfg *Config) bool {
	return !cfg.NoPreallocate && !onTmpfs(cfg.DataDir)
}

// dataFS is the file system of the data directory: wal.Tmpfs on tmpfs,
// where syncs are no-ops and writes never wait for a disk, else the
// operating system's.
func dataFS(dir string) wal.FS {
	if onTmpfs(dir) {
		return wal.Tmpfs
	}
	return wal.OS
}

// syncLoop syncs st in the background in async mode.
func syncLoop(ctx context.Context, st *storage.Storage) {
	if st.Mode() != SyncAsync {
		return
	}
	t := time.NewTicker(AsyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = st.Sync()
		}
	}
}
