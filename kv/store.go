package kv

import (
	"runtime"

	"github.com/google/btree"
)

// Store is the key-value state machine. It implements core.StateMachine.
// It is not safe for concurrent use.
type Store struct {
	limits   Limits
	layout   Layout // as given: each new arena fills in its defaults
	arena    *arena // the records of tree's entries (arena.go)
	tree     *btree.BTreeG[entry]
	revision uint64
	sum      uint64  // sum of entryHash over all entries, for Digest
	size     int64   // bytes of keys and values held (Size)
	changes  changes // since the last Snapshot, Restore or ApplyDelta (delta.go)
}

// New returns an empty store. Zero or negative fields of limits take their
// defaults.
func New(limits Limits) *Store { return newStore(limits, Layout{}) }

// NewWithLayout returns an empty store whose records are packed as
// layout says (zero fields: the defaults), or an error wrapping
// ErrBadLayout if its slab size is out of range.
func NewWithLayout(limits Limits, layout Layout) (*Store, error) {
	if err := layout.check(); err != nil {
		return nil, err
	}
	return newStore(limits, layout), nil
}

// newStore returns an empty store; layout was checked.
func newStore(limits Limits, layout Layout) *Store {
	a := newArena(layout)
	return &Store{limits: limits.withDefaults(), layout: layout, arena: a, tree: a.newTree()}
}

// Limits returns the store's limits, defaults filled in.
func (s *Store) Limits() Limits { return s.limits }

// Release drops the whole state (core.Releaser): a replica that installs
// a verified checkpoint calls it before Restore, so that the old tree and
// the restored one are not held together. The store is then empty, at
// its revision, until Restore replaces it. It collects the garbage before
// it returns: otherwise the collector, pacing itself on the heap it last
// marked (the old state, live then), let the restore grow the heap to
// twice the state before it ran, and a backup that restarted durable with
// 1M keys × 1 KiB and installed a fetched checkpoint peaked at 2,356-2,431
// MiB resident against a budget of 2,224 (docs/benchmarks.md, tenth
// session). The caller is an install's goroutine, off the replica's loop.
func (s *Store) Release() {
	compactions := s.arena.compactions
	s.arena = newArena(s.layout)
	s.arena.compactions = compactions
	s.tree, s.sum, s.size, s.changes = s.arena.newTree(), 0, 0, changes{from: s.revision, lost: true}
	runtime.GC()
}

// Memory is how a store's records use the memory of its slabs.
type Memory struct {
	// SlabBytes is the bytes of the slabs that hold a live record (or
	// are being filled); LiveBytes the bytes of the live records, headers
	// and alignment included. The difference is slack that compaction
	// takes back (Layout.CompactFloor).
	SlabBytes, LiveBytes int64
	// Compactions counts the slabs the store compacted since it was made.
	Compactions int
	// MostMovedAtOnce is the most bytes of records one write's
	// compaction moved (since the store was made or restored): the
	// compaction runs inside the write, on the replica's loop, so this
	// bounds the longest pause it adds to a write.
	MostMovedAtOnce int64
}

// Memory returns the store's memory accounting.
func (s *Store) Memory() Memory {
	a := s.arena
	return Memory{SlabBytes: a.inUse, LiveBytes: a.liveBytes, Compactions: a.compactions, MostMovedAtOnce: a.mostMoved}
}

// Len returns the number of keys.
func (s *Store) Len() int { return s.tree.Len() }

// Size returns the bytes of the keys and values the store holds: the
// data size, without the tree's and the allocator's overhead. A node sizes
// its memory limit from it.
func (s *Store) Size() int64 { return s.size }

// treeSize is the Size of a whole tree.
func treeSize(t *btree.BTreeG[entry]) int64 {
	var n int64
	t.Ascend(func(e entry) bool {
		n += entrySize(e)
		return true
	})
	return n
}

// Revision returns the store-wide revision: the number of successful
// mutations so far, and the version of the last key written.
func (s *Store) Revision() uint64 { return s.revision }

// lookup returns the entry for key.
func (s *Store) lookup(key []byte) (entry, bool) {
	s.arena.probeKey = key
	e, found := s.tree.Get(probe(key))
	s.arena.probeKey = nil
	return e, found
}

// recs is the table of the store's records, to read an entry of its tree.
func (s *Store) recs() slabs { return s.arena.slabs }

// write stores value under key at a new revision and returns the version.
// It copies key and value and descends the tree once: ReplaceOrInsert
// hands back the entry it replaced (a lookup first, to reuse the old key,
// made every write two descents: 30% of a replica's apply time in a
// profile). Key, value and version are copied into one record (entry.go)
// in the arena.
func (s *Store) write(key, value []byte) uint64 {
	s.revision++
	e := s.arena.put(key, value, s.revision)
	if old, found := s.tree.ReplaceOrInsert(e); found {
		s.sum -= s.recs().hash(old)
		s.size -= entrySize(old)
		s.arena.kill(old)
	}
	s.sum += s.recs().hash(e)
	s.size += entrySize(e)
	s.changes.note(e, s.tree.Len())
	s.arena.earn(footprint(e.n))
	s.tidy()
	return s.revision
}

// remove deletes key at a new revision and reports whether it existed. A
// missing key is not a mutation: the revision stays.
func (s *Store) remove(key []byte) bool {
	s.arena.probeKey = key
	old, found := s.tree.Delete(probe(key))
	s.arena.probeKey = nil
	if found {
		s.revision++
		s.sum -= s.recs().hash(old)
		s.size -= entrySize(old)
		s.arena.kill(old)
		s.changes.note(tombstone(old), s.tree.Len())
		s.tidy()
	}
	return found
}

// tidy keeps the arena's slabs near its live records: it compacts one
// slab when they hold too much more, and drops emptied slabs when no note
// can name them (the changes are lost; otherwise the next Snapshot does).
func (s *Store) tidy() {
	if s.arena.needsCompaction() {
		s.arena.compact(s.tree, true)
	}
	if s.changes.lost {
		s.arena.freeEmpty()
	}
}
