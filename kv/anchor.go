package kv

import (
	"fmt"
	"slices"

	"github.com/google/btree"
)

// Snapshots without a clone each. A snapshot must be able to write the
// whole state as it was when it was taken (WriteTo), on another goroutine,
// while the store goes on. Cloning the tree for every snapshot did that,
// but a clone makes every node the store then writes to a copy: with a
// snapshot every checkpoint (8 MiB of writes) at 1M keys, almost every
// write copied a 2 KiB leaf, a quarter of all that a replica allocated
// (docs/benchmarks.md, "Snapshots from an anchor").
//
// So the store keeps an anchor instead: a clone of the tree taken now and
// then, and the journal, the notes (delta.go) of every change since, in
// order. A snapshot holds the anchor's tree and the journal as it is at
// that moment; its state is the anchor's with the last note of each key
// laid over it, which WriteTo merges in key order as it writes. The store
// takes a new anchor once the journal holds anchorLimit notes, so the
// tree is cloned once per anchorLimit writes rather than once per
// snapshot, and what an anchor keeps alive (the entries written over since
// it, and the journal) stays bounded by about a 1/anchorShare of the state.

const (
	// anchorShare: a new anchor once the journal holds size/anchorShare
	// notes.
	anchorShare = 16
	// minAnchor is the least journal length that starts a new anchor.
	minAnchor = 64
)

// anchor is a clone of the store's tree at some moment, and the notes of
// every change since, oldest first. Neither is ever changed once shared:
// the journal is only appended to, and a snapshot keeps it clipped.
type anchor struct {
	tree    *btree.BTreeG[entry]
	journal []entry
}

// anchorLimit is how many notes the journal of a store of size keys
// holds before the store takes a new anchor.
func anchorLimit(size int) int { return max(minAnchor, size/anchorShare) }

// reanchor makes the tree as it is now the anchor, with an empty journal.
func (s *Store) reanchor() { s.anchor = anchor{tree: s.tree.Clone()} }

// journal records a change (an entry written, or a tombstone) after the
// tree was changed, and takes a new anchor when the journal is full.
func (s *Store) journal(note entry) {
	s.anchor.journal = append(s.anchor.journal, note)
	if len(s.anchor.journal) >= anchorLimit(s.tree.Len()) {
		s.reanchor()
	}
}

// ascend calls fn for each entry of the snapshot's state in key order:
// the anchor's entries, each key the journal noted replaced by its last
// note (or left out, a tombstone), and the keys only the journal holds.
// It stops when fn returns false, and returns how many entries it gave.
func (p *snapshot) ascend(fn func(entry) bool) int {
	notes := lastNotes(p.journal)
	n, i, more := 0, 0, true
	give := func(e entry) {
		if more && !isTombstone(e) {
			n++
			more = fn(e)
		}
	}
	p.base.Ascend(func(e entry) bool {
		for ; i < len(notes) && entryLess(notes[i], e); i++ {
			give(notes[i])
		}
		if i < len(notes) && !entryLess(e, notes[i]) {
			give(notes[i]) // the key's last note replaces its entry
			i++
		} else {
			give(e)
		}
		return more
	})
	for ; more && i < len(notes); i++ {
		give(notes[i])
	}
	return n
}

// checkCount panics unless a whole walk of the snapshot gave as many
// entries as the store held when it was taken: the anchor and the journal
// disagree with the tree, a state that cannot happen.
func (p *snapshot) checkCount(n int) {
	if n != p.count {
		panic(fmt.Sprintf("kv: snapshot at revision %d walked %d entries, the store held %d", p.revision, n, p.count))
	}
}

// lastNotes returns the last note of each key in the notes of sets
// (oldest first), in key order: stably sorted by key, each run of one
// key's notes kept by its last. The sets are not changed.
func lastNotes(sets ...[]entry) []entry {
	var notes []entry
	for _, s := range sets {
		notes = append(notes, s...)
	}
	slices.SortStableFunc(notes, compareEntries)
	out := notes[:0]
	for i, e := range notes {
		if i+1 < len(notes) && compareEntries(e, notes[i+1]) == 0 {
			continue // a later note of the same key follows
		}
		out = append(out, e)
	}
	return out
}

// compareEntries orders entries as entryLess does, for the slices package.
func compareEntries(a, b entry) int {
	switch {
	case entryLess(a, b):
		return -1
	case entryLess(b, a):
		return 1
	}
	return 0
}
