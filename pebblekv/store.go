package pebblekv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// markerFile marks a directory as this package's working copy, which Open
// may empty: it refuses a non-empty directory without one.
const markerFile = "VR-PEBBLEKV"

// ErrClosed is returned by a snapshot's WriteTo or by Restore after Close.
var ErrClosed = errors.New("pebblekv: store closed")

// Store is the key-value state machine on Pebble. It implements
// core.DeltaStateMachine, core.Querier and node.ReadOnlyChecker; not
// node.Describer: its writes are blind (ops.go), so it knows neither its
// key count nor a digest without reading the whole state. Apply, Query, Snapshot and Restore run on one
// goroutine; a snapshot's WriteTo may run on any other (core.Snapshot).
type Store struct {
	db     *pebble.DB
	dir    string
	limits kv.Limits
	batch  *pebble.Batch // indexed: a batch's later commands read its earlier writes

	gen      byte    // the live generation (keys.go)
	revision uint64  // as kv.Store.Revision
	changes  changes // since the last Snapshot, Restore or ApplyDelta (delta.go)
	// trackLimit bounds changes (maxTrackedBytes; tests lower it).
	trackLimit int

	keyBuf, valBuf []byte

	// life is held shared by every WriteTo and Restore while it reads
	// the database, and exclusively by Close.
	life   sync.RWMutex
	closed bool

	mu    sync.Mutex
	snaps map[*pebble.Snapshot]struct{} // open snapshots, closed by Close
}

// Open creates an empty store in dir, removing the working copy a
// previous Open left there. It refuses a non-empty directory that is not
// such a working copy.
func Open(dir string, o Options) (*Store, error) {
	o = o.withDefaults()
	if o.FS == nil {
		if err := resetDir(dir); err != nil {
			return nil, err
		}
	}
	po, cache := o.pebbleOptions()
	db, err := pebble.Open(dir, po)
	cache.Unref()
	if err != nil {
		return nil, fmt.Errorf("pebblekv: open %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, limits: o.Limits, batch: db.NewIndexedBatch(), gen: genA,
		trackLimit: maxTrackedBytes, snaps: map[*pebble.Snapshot]struct{}{}}
	s.resetChanges(0)
	return s, nil
}

// resetDir empties dir if it is a working copy, creates it if absent, and
// marks it.
func resetDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("pebblekv: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			return fmt.Errorf("pebblekv: %s is not empty and holds no %s file: not removing what may be someone else's", dir, markerFile)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("pebblekv: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("pebblekv: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte("the state machine's working copy; vr server empties it at every start\n"), 0o640)
}

// Close closes the open snapshots and the database. The working copy
// stays on disk until the next Open removes it.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for snap := range s.snaps {
		errs = append(errs, snap.Close())
	}
	clear(s.snaps)
	errs = append(errs, s.batch.Close(), s.db.Close())
	return errors.Join(errs...)
}

// Revision returns the store-wide revision, as kv.Store.Revision.
func (s *Store) Revision() uint64 { return s.revision }

// Limits returns the store's limits.
func (s *Store) Limits() kv.Limits { return s.limits }

// DiskBytes is how many bytes the working copy's files take
// (node.DiskSizer); 0 once the store is closed.
func (s *Store) DiskBytes() uint64 {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return 0
	}
	return s.db.Metrics().DiskSpaceUsage()
}

// Metrics returns Pebble's metrics.
func (s *Store) Metrics() *pebble.Metrics { return s.db.Metrics() }
