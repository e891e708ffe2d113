package pebblekv

import (
	"fmt"
	"io"
	"runtime"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// Snapshots are in kv's format (kv.NewSnapshotWriter), so that a snapshot
// moves between engines.

// snapshot is the state at one Snapshot call: a Pebble snapshot and the
// counters that went with it.
type snapshot struct {
	s        *Store
	snap     *pebble.Snapshot
	gen      byte
	revision uint64
	sets     []changes // the changes since the previous snapshot (more than one after Absorb)
	from     uint64    // the revision the changes start from
	lost     bool      // the changes were not tracked: no delta
}

// Snapshot captures the state as it is now, in O(1): a Pebble snapshot,
// which keeps the versions of keys it sees until it is closed. The
// returned io.WriterTo writes the state in kv's snapshot format, on any
// goroutine and more than once; the Pebble snapshot is closed when the
// handle is garbage (or at Close).
func (s *Store) Snapshot() io.WriterTo {
	snap := s.openSnapshot()
	c := s.changes
	s.resetChanges(s.revision)
	h := &snapshot{s: s, snap: snap, gen: s.gen, revision: s.revision,
		sets: []changes{c}, from: c.from, lost: c.lost}
	runtime.AddCleanup(h, s.closeSnapshot, snap)
	return h
}

// Export writes the state as it is now in kv's snapshot format, as
// Snapshot().WriteTo would, but without starting a new delta: the next
// Snapshot's delta still starts at the previous Snapshot. For checks and
// tools that read the state beside the replica (the simulator's digests).
func (s *Store) Export(w io.Writer) (int64, error) {
	snap := s.openSnapshot()
	defer s.closeSnapshot(snap)
	p := &snapshot{s: s, snap: snap, gen: s.gen, revision: s.revision, lost: true}
	return p.WriteTo(w)
}

// openSnapshot opens a Pebble snapshot that Close closes if its holder
// has not (closeSnapshot).
func (s *Store) openSnapshot() *pebble.Snapshot {
	snap := s.db.NewSnapshot()
	s.mu.Lock()
	s.snaps[snap] = struct{}{}
	s.mu.Unlock()
	return snap
}

// closeSnapshot closes snap unless Close already did.
func (s *Store) closeSnapshot(snap *pebble.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, open := s.snaps[snap]; open {
		delete(s.snaps, snap)
		_ = snap.Close()
	}
}

// WriteTo writes the snapshot to w in kv's format.
func (p *snapshot) WriteTo(w io.Writer) (int64, error) {
	p.s.life.RLock()
	defer p.s.life.RUnlock()
	if p.s.closed {
		return 0, ErrClosed
	}
	count, err := p.count()
	if err != nil {
		return 0, err
	}
	it, err := p.iter()
	if err != nil {
		return 0, err
	}
	defer it.Close()
	sw := kv.NewSnapshotWriter(w, p.revision, count)
	n := uint64(0)
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return 0, fmt.Errorf("pebblekv: snapshot: %w", err)
		}
		e, err := parseStored(v)
		if err != nil {
			return 0, err
		}
		if err := sw.Entry(it.Key()[1:], e.value, e.version); err != nil {
			return 0, err
		}
		n++
	}
	if n != count {
		panic(fmt.Sprintf("pebblekv: a Pebble snapshot iterated twice gave %d and then %d entries", count, n))
	}
	return sw.Close()
}

// count counts the snapshot's entries, which the format puts first (the
// store keeps no count: its writes are blind). It reads the keys only.
func (p *snapshot) count() (uint64, error) {
	it, err := p.iter()
	if err != nil {
		return 0, err
	}
	n := uint64(0)
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n, it.Close()
}

// iter opens an iterator over the snapshot's generation.
func (p *snapshot) iter() (*pebble.Iterator, error) {
	lower, upper := genBounds(p.gen)
	it, err := p.snap.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("pebblekv: snapshot: %w", err)
	}
	return it, nil
}
