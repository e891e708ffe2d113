package kv

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/google/btree"

	"github.com/vr-go/vr/internal/yield"
)

// Incremental snapshots (core.DeltaSnapshot, core.DeltaStateMachine). The
// store notes every write (the entry it stored) and removal (a tombstone:
// the key alone) since its last Snapshot, Restore or ApplyDelta; a
// snapshot takes those notes with it, and its WriteDeltaTo writes, for
// each key noted, in key order, the last note of it: the entry the
// snapshot holds, or its absence. So a checkpoint costs what changed
// since the previous one, not the state, and writing it looks nothing up
// in the tree (looking each key up in the snapshot's tree was a third of
// a delta's cost at 1M keys: benchmarks.md, "Deltas from the notes").
//
// Delta format: magic, format version, uvarint from-revision (the
// revision of the state the delta applies to), uvarint revision, uvarint
// count, then per key in increasing order a kind byte (deltaPut: key,
// value, uvarint version; deltaDelete: key), and last a big-endian
// CRC-32C of everything before it. ApplyDelta refuses a delta whose
// from-revision is not the store's revision: revisions grow with every
// mutation, so that catches a delta applied to the wrong state.
const (
	deltaMagic   = "VRKD"
	deltaVersion = 1
	deltaDelete  = 0
	deltaPut     = 1
	// minTracked is how many changes the store tracks at least; beyond
	// trackLimit it stops (a delta would be as large as half the state:
	// not worth it) and the next snapshot has no delta, so it is written
	// whole.
	minTracked = 64
)

// changes are the writes and removals since the baseline state (of
// revision from), in the order they happened, with repeats: each the
// entry written, or a tombstone of the key removed; lost once there were
// too many. They name records of the store's arena, which never change
// and stay until a snapshot has taken the notes (arena.go).
type changes struct {
	notes []entry
	lost  bool
	from  uint64
}

// note records a change, e (an entry or a tombstone), in a store of size
// keys.
func (c *changes) note(e entry, size int) {
	if c.lost {
		return
	}
	if len(c.notes) >= trackLimit(size) {
		c.notes, c.lost = nil, true
		return
	}
	c.notes = append(c.notes, e)
}

// noteSet is a set of notes and the table of slabs to read them with:
// the one of the snapshot that took them.
type noteSet struct {
	notes []entry
	recs  slabs
}

// tombstone is the note of the removal of e's key: e with its record cut
// to the key (a stored entry's record always holds a version after it).
func tombstone(e entry) entry { e.n = e.klen; return e }

// isTombstone reports whether a note is a removal.
func isTombstone(e entry) bool { return e.n == e.klen }

// trackLimit is how many changes (with repeats) a store of size keys
// tracks.
func trackLimit(size int) int { return max(minTracked, size/2) }

// HasDelta reports whether WriteDeltaTo can write the changes since the
// previous snapshot.
func (p *snapshot) HasDelta() bool { return !p.lost }

// Absorb extends p's changes back over prev's (core.DeltaSnapshot): prev
// must be the store's snapshot just before p.
func (p *snapshot) Absorb(prev io.WriterTo) bool {
	q, ok := prev.(*snapshot)
	if !ok || q.lost || p.lost || q.revision != p.from {
		p.lost, p.sets = true, nil
		return false
	}
	n := 0
	for _, s := range q.sets {
		n += len(s.notes)
	}
	for _, s := range p.sets {
		n += len(s.notes)
	}
	if n > trackLimit(p.tree.Len()) {
		p.lost, p.sets = true, nil
		return false
	}
	p.sets = append(slices.Clip(q.sets), p.sets...)
	p.from = q.from
	return true
}

// WriteDeltaTo writes the changes from the state of revision p.from to
// p's state: every changed key's entry in p, or its absence.
func (p *snapshot) WriteDeltaTo(w io.Writer) (int64, error) {
	if p.lost {
		return 0, fmt.Errorf("%w: the changes since the previous snapshot were not tracked", ErrBadSnapshot)
	}
	return writeDelta(w, p.from, p.revision, p.lastNotes())
}

// writeDelta writes, in the delta format, the changes from revision from
// to revision: one record per note (in key order; a tombstone is a
// removal).
func writeDelta(w io.Writer, from, revision uint64, notes []note) (int64, error) {
	dw := NewDeltaWriter(w, from, revision, uint64(len(notes)))
	for _, nt := range notes {
		e, recs := nt.e, nt.recs
		var err error
		if isTombstone(e) {
			err = dw.Delete(recs.key(e))
		} else {
			err = dw.Put(recs.key(e), recs.value(e), recs.version(e))
		}
		if err != nil {
			break
		}
	}
	return dw.Close()
}

// note is a note with the table to read it with.
type note struct {
	e    entry
	recs slabs
}

// key returns the note's key.
func (n note) key() []byte { return n.recs.key(n.e) }

// lastNotes returns the last note of each key changed, in key order: the
// notes of every set, oldest first, stably sorted by key, each run of
// one key's notes kept by its last.
func (p *snapshot) lastNotes() []note {
	var notes []note
	for _, s := range p.sets {
		for _, e := range s.notes {
			notes = append(notes, note{e, s.recs})
		}
	}
	// Sorting a few hundred thousand notes computes for tens of
	// milliseconds; it yields the processor as it goes, so that the
	// replica's loop never waits behind it (package yield).
	steps := yield.Counter{Steps: 1 << 14}
	slices.SortStableFunc(notes, func(a, b note) int { steps.Tick(); return compareNotes(a, b) })
	out := notes[:0]
	for i, n := range notes {
		if i+1 < len(notes) && compareNotes(n, notes[i+1]) == 0 {
			continue // a later note of the same key follows
		}
		out = append(out, n)
	}
	return out
}

// compareNotes orders notes by key, as arena.less orders entries, for the
// slices package; each note's key is read through its own table.
func compareNotes(a, b note) int {
	switch {
	case a.e.prefix != b.e.prefix:
		return cmp.Compare(a.e.prefix, b.e.prefix)
	case a.e.klen <= 8 && b.e.klen <= 8:
		return cmp.Compare(a.e.klen, b.e.klen)
	}
	return bytes.Compare(a.key(), b.key())
}

// ApplyDelta applies a delta that WriteDeltaTo wrote to the state it
// starts from (core.DeltaStateMachine). On error (wrapping
// ErrBadSnapshot, or r's own) the store is unchanged.
//
// The delta is applied to the tree in place, with an undo list of what
// it replaced, rolled back if the delta turns out bad (its checksum is at
// its end). It used to be applied to a clone of the tree, which copied
// every node a change touched: installing a fetched chain of 1 GB of base
// and 0.6 GB of deltas took 22 s, most of it copying (docs/benchmarks.md,
// "A restarted diskless backup catches up").
func (s *Store) ApplyDelta(r io.Reader) error {
	br := restoreBuffers.Get().(*bufio.Reader) // as Restore's
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		restoreBuffers.Put(br)
	}()
	a := deltaApply{arena: s.arena, tree: s.tree, sum: s.sum, size: s.size}
	_, revision, err := readDelta(br, s.revision, a.change)
	if err != nil {
		a.rollback()
		return err
	}
	s.revision, s.sum, s.size = revision, a.sum, a.size
	s.changes = changes{from: revision}
	for s.arena.needsCompaction() && s.arena.compact(s.tree, false) {
	}
	s.arena.freeEmpty() // no notes left to name a slab
	return nil
}

// deltaApply applies one delta to a tree in place, keeping what it
// replaced so that a bad delta leaves the tree (and the arena's
// accounting) as it was.
type deltaApply struct {
	arena     *arena
	tree      *btree.BTreeG[entry]
	sum       uint64 // the entries' hashes, summed
	size      int64  // the entries' sizes, summed
	undo      []entry
	undoFound []bool // undo[i] replaced an entry (else it was new)
}

// put records that e took the place of old (found) in the tree.
func (a *deltaApply) put(e, old entry, found bool) {
	if found {
		a.removed(old)
	} else {
		a.undo, a.undoFound = append(a.undo, e), append(a.undoFound, false)
	}
	a.sum += a.arena.slabs.hash(e)
	a.size += entrySize(e)
}

// removed records that old left the tree (deleted or replaced).
func (a *deltaApply) removed(old entry) {
	a.sum -= a.arena.slabs.hash(old)
	a.size -= entrySize(old)
	a.arena.kill(old)
	a.undo, a.undoFound = append(a.undo, old), append(a.undoFound, true)
}

// rollback undoes every change, newest first: an entry put back revives
// its record, one taken out is killed.
func (a *deltaApply) rollback() {
	for i := len(a.undo) - 1; i >= 0; i-- {
		var cur entry
		var found bool
		if a.undoFound[i] {
			a.arena.revive(a.undo[i])
			cur, found = a.tree.ReplaceOrInsert(a.undo[i])
		} else {
			cur, found = a.tree.Delete(a.undo[i])
		}
		if found {
			a.arena.kill(cur)
		}
	}
	a.undo, a.undoFound = nil, nil
}

// change applies one change of a delta: a put of key, or its deletion.
func (a *deltaApply) change(key, value []byte, version uint64, deleted bool) error {
	if deleted {
		a.arena.probeKey = key
		old, found := a.tree.Delete(probe(key))
		a.arena.probeKey = nil
		if found {
			a.removed(old)
		}
		return nil
	}
	e := a.arena.put(key, value, version)
	old, found := a.tree.ReplaceOrInsert(e)
	a.put(e, old, found)
	return nil
}
