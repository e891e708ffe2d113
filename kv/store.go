package kv

import (
	"github.com/google/btree"
)

// Store is the key-value state machine. It implements core.StateMachine.
// It is not safe for concurrent use.
type Store struct {
	limits   Limits
	tree     *btree.BTreeG[entry]
	revision uint64
	sum      uint64  // sum of entryHash over all entries, for Digest
	size     int64   // bytes of keys and values held (Size)
	changes  changes // since the last Snapshot, Restore or ApplyDelta (delta.go)
}

// New returns an empty store. Zero or negative fields of limits take their
// defaults.
func New(limits Limits) *Store {
	return &Store{limits: limits.withDefaults(), tree: newTree()}
}

// Limits returns the store's limits, defaults filled in.
func (s *Store) Limits() Limits { return s.limits }

// Release drops the whole state (core.Releaser): a replica that installs
// a verified checkpoint calls it before Restore, so that the old tree and
// the restored one are not held together. The store is then empty, at
// its revision, until Restore replaces it.
func (s *Store) Release() {
	s.tree, s.sum, s.size, s.changes = newTree(), 0, 0, changes{from: s.revision, lost: true}
}

// Len returns the number of keys.
func (s *Store) Len() int { return s.tree.Len() }

// Size returns the bytes of the keys and values the store holds: the
// data size, without the tree's and the allocator's overhead. A node sizes
// its memory limit from it.
func (s *Store) Size() int64 { return s.size }

// entrySize is what an entry counts in Size.
func entrySize(e entry) int64 { return int64(cap(e.rec) - recTail) }

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

// lookup returns the entry for key, whose slices alias the store.
func (s *Store) lookup(key []byte) (entry, bool) {
	return s.tree.Get(probe(key))
}

// write stores value under key at a new revision and returns the version.
// It copies key and value and descends the tree once: ReplaceOrInsert
// hands back the entry it replaced (a lookup first, to reuse the old key,
// made every write two descents: 30% of a replica's apply time in a
// profile). Key, value and version are copied into one record (entry.go).
func (s *Store) write(key, value []byte) uint64 {
	s.revision++
	e := newEntry(key, value, s.revision)
	if old, found := s.tree.ReplaceOrInsert(e); found {
		s.sum -= entryHash(old)
		s.size -= entrySize(old)
	}
	s.sum += entryHash(e)
	s.size += entrySize(e)
	s.changes.note(e, s.tree.Len())
	return s.revision
}

// remove deletes key at a new revision and reports whether it existed. A
// missing key is not a mutation: the revision stays.
func (s *Store) remove(key []byte) bool {
	old, found := s.tree.Delete(probe(key))
	if found {
		s.revision++
		s.sum -= entryHash(old)
		s.size -= entrySize(old)
		s.changes.note(tombstone(old), s.tree.Len())
	}
	return found
}
