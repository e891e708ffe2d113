package pebblekv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// Store is the key-value state machine over Pebble. It implements
// core.StateMachine. It is not safe for concurrent use.
type Store struct {
	db       *pebble.DB
	opts     Options
	applied  uint64 // op-number of the last applied op
	revision uint64 // as kv.Store.Revision
	batch    *pebble.Batch
	keyBuf   []byte
	valBuf   []byte
}

// Open opens the store in dir, creating it if needed. A directory written
// by Checkpoint opens with the op-number and contents it was taken at.
func Open(dir string, o Options) (*Store, error) {
	o = o.withDefaults()
	po, cache := o.pebbleOptions()
	db, err := pebble.Open(dir, po)
	cache.Unref()
	if err != nil {
		return nil, fmt.Errorf("pebblekv: open %s: %w", dir, err)
	}
	s := &Store{db: db, opts: o, batch: db.NewBatch()}
	if s.applied, err = s.readMeta(appliedKey); err == nil {
		s.revision, err = s.readMeta(revisionKey)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// readMeta reads an 8-byte counter; a missing key reads as 0.
func (s *Store) readMeta(key []byte) (uint64, error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pebblekv: read meta: %w", err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, fmt.Errorf("pebblekv: meta key %q has %d bytes", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// Close flushes the memtable, so that a clean shutdown loses nothing even
// without a WAL, and closes the database.
func (s *Store) Close() error {
	err := s.db.Flush()
	_ = s.batch.Close()
	return errors.Join(err, s.db.Close())
}

// Applied returns the op-number of the last applied op.
func (s *Store) Applied() uint64 { return s.applied }

// Revision returns the store-wide revision, as kv.Store.Revision.
func (s *Store) Revision() uint64 { return s.revision }

// Limits returns the store's limits, defaults filled in.
func (s *Store) Limits() kv.Limits { return s.opts.Limits }

// Metrics returns Pebble's metrics, for benchmarks.
func (s *Store) Metrics() *pebble.Metrics { return s.db.Metrics() }

// get returns the version and a copy of the value stored under user key k.
func (s *Store) get(k []byte) (version uint64, value []byte, found bool, err error) {
	s.keyBuf = appendDataKey(s.keyBuf[:0], k)
	v, closer, err := s.db.Get(s.keyBuf)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, err
	}
	defer closeQuietly(closer)
	version, value, err = parseStored(v)
	if err != nil {
		return 0, nil, false, err
	}
	return version, append([]byte(nil), value...), true, nil
}

// closeQuietly closes c; Pebble's Get closers never fail.
func closeQuietly(c io.Closer) { _ = c.Close() }
