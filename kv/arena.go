package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/google/btree"
	"github.com/vr-go/vr/internal/plant"
)

// The arena keeps the store's records packed in large slabs, which hold
// no pointers: the collector marks a slab as one object and never scans
// it, and the tree's entries locate records by index and offset (entry.go)
// rather than by pointer.
//
// A record is written once and never changed, but for one bit: its
// header (8 bytes before it: key length and record length, little-endian
// uint32s) marks it dead once it has left the tree. Each slab counts the
// bytes of its live records; a store whose slabs hold much more than its
// live records compacts the sparsest slab, moving its live records to the
// current slab (compact), and a slab with no live record left is dropped
// at the next safe point (freeEmpty): when no note of the changes
// (delta.go) can still name it, since notes are read through the table of
// the snapshot that takes them. Snapshots copy the table, so a slab the
// store drops stays in memory while a snapshot that sees it lives, and
// its index is then reused only in the store's table.
const (
	// recHeader is the bytes before each record: key length, record
	// length (with deadBit).
	recHeader = 8
	// deadBit marks a record's length in its header once the record has
	// left the tree.
	deadBit = 1 << 31
	// recAlign aligns records in a slab, so that a record's header and
	// its bytes never share a word with another record (a snapshot's
	// writer reads records while the store marks others dead).
	recAlign = 8
	// compactCredit is the bytes compactions may move per byte the
	// store's writes store: a backlog of sparse slabs (after a pause, a
	// restore) is worked off over many writes, not in one.
	compactCredit = 4
)

// Layout sizes the slabs a store packs its records in. The zero Layout
// is the default (1 MiB slabs, compaction past 37% and 8 MiB of slack); the
// simulator and the tests use small slabs so that small states compact.
type Layout struct {
	// SlabSize is the bytes of a slab (0: 1 MiB; else MinSlabSize to
	// MaxSlabSize);
	// a record larger than a sixteenth of it gets a slab of its own,
	// dropped when the record dies (so a packed slab wastes less than a
	// sixteenth at its end, and a full one is never sparse enough to
	// compact).
	SlabSize int
	// CompactFloor is the slack, beyond SlackPercent of the live bytes, that
	// slabs may hold before the store compacts one (0: 8 MiB; negative:
	// none).
	CompactFloor int64
	// SlackPercent is the slack, in percent of the live bytes, that slabs
	// may hold (beyond CompactFloor) before the store compacts one (0:
	// 37); while a whole snapshot is being written, at least
	// pinnedSlackPercent. Under
	// uniform overwrites a cleaner held to 25% moved about three bytes per
	// byte freed, a fifth of a replica's CPU; at 37% a batch of puts costs
	// 11% less CPU, and the memory limit, not the slabs, still sets the
	// process's memory (docs/benchmarks.md, sixth session).
	SlackPercent int
	// freeAtOnce is a planted bug (Plant): an emptied slab is dropped at
	// once, while notes of the changes may still name its records.
	freeAtOnce bool
}

// MinSlabSize and MaxSlabSize bound Layout.SlabSize (an entry holds a
// record's offset in its slab in 32 bits).
const (
	MinSlabSize = 1 << 10
	MaxSlabSize = 1 << 30
)

const (
	defaultSlabSize     = 1 << 20
	defaultCompactFloor = int64(8 << 20)
	defaultSlackPercent = 37
	// pinnedSlackPercent is the slack allowed while a whole snapshot is
	// being written: compacting then copies records out of slabs the
	// snapshot keeps alive, so it adds to memory instead of freeing it;
	// but the peak memory of a replica is the live heap at that moment,
	// and past half of the live bytes the memory limit's floor (1.25 x
	// the live heap) lifts resident memory over 2 x the data + 256 MiB
	// (docs/benchmarks.md, seventh session).
	pinnedSlackPercent = 50
)

// Plant plants the bugs of b in stores made with l (tests and the
// simulator only: see package plant).
func (l *Layout) Plant(b plant.KV) { l.freeAtOnce = b.FreeAtOnce }

// ErrBadLayout is the error of a Layout out of range (NewWithLayout).
var ErrBadLayout = errors.New("kv: bad layout")

// check reports a slab size out of range.
func (l Layout) check() error {
	if l.SlabSize != 0 && (l.SlabSize < MinSlabSize || l.SlabSize > MaxSlabSize) {
		return fmt.Errorf("%w: slabs of %d bytes (0, or %d to %d)", ErrBadLayout, l.SlabSize, MinSlabSize, MaxSlabSize)
	}
	return nil
}

// withDefaults fills in l's zero fields; l was checked.
func (l Layout) withDefaults() Layout {
	if err := l.check(); err != nil {
		panic(err) // NewWithLayout refuses it: a store never holds one
	}
	if l.SlabSize == 0 {
		l.SlabSize = defaultSlabSize
	}
	if l.SlackPercent <= 0 {
		l.SlackPercent = defaultSlackPercent
	}
	switch {
	case l.CompactFloor == 0:
		l.CompactFloor = defaultCompactFloor
	case l.CompactFloor < 0:
		l.CompactFloor = 0
	}
	return l
}

// arena is a store's slabs and their accounting. It is not safe for
// concurrent use; snapshots read their own copy of the table.
type arena struct {
	layout  Layout // defaults filled in
	slabs   slabs
	live    []int64 // bytes of live records (headers and alignment included) per slab
	cur     int     // the slab being filled, -1 for none
	fill    int     // bytes used in the current slab
	free    []int   // indexes of dropped slabs, to reuse
	emptied []int   // slabs whose live bytes fell to 0, to drop at the next safe point
	// inUse is the bytes of the slabs with a live record, or current;
	// liveBytes the bytes of live records (as live counts them).
	inUse, liveBytes int64
	// probeKey is the key of a probe (probeRef) while the tree compares it.
	probeKey []byte
	// compactions counts the slabs compacted.
	compactions int
	// credit is the bytes compactions may move now (compactCredit).
	credit int64
	// mostMoved is the most bytes one limited compaction (one write's)
	// moved.
	mostMoved int64
	// victim is the slab a compaction is emptying (-1: none), and
	// victimOff the offset of the next record it looks at (compact).
	victim, victimOff int
	// pinned counts the whole snapshots being written (WriteTo): while
	// one is, compacting would copy records that its slabs keep alive
	// anyway, so the store compacts only past a hard bound.
	pinned atomic.Int32
}

func newArena(l Layout) *arena { return &arena{layout: l.withDefaults(), cur: -1, victim: -1} }

// newTree returns an empty tree ordered by the keys of a's records.
func (a *arena) newTree() *btree.BTreeG[entry] {
	return btree.NewG(btreeDegree, a.less)
}

// key returns e's key: the probe's for a probe.
func (a *arena) key(e entry) []byte {
	if e.ref == probeRef {
		return a.probeKey
	}
	return a.slabs.key(e)
}

// footprint is the bytes a record of length n takes in a slab.
func footprint(n uint32) int64 { return (recHeader + int64(n) + recAlign - 1) &^ (recAlign - 1) }

// put stores a record of key, value and version and returns its entry.
func (a *arena) put(key, value []byte, version uint64) entry {
	e, r := a.alloc(len(key), len(value))
	copy(r, key)
	copy(r[len(key):], value)
	seal(r, len(key), version)
	e.prefix = keyPrefix(key)
	return e
}

// alloc reserves a live record for a key and a value of the given
// lengths and returns its entry (prefix unset) and the record's bytes,
// for the caller to fill and seal.
func (a *arena) alloc(klen, vlen int) (entry, []byte) {
	n := klen + vlen + recTail
	if n >= deadBit {
		panic(fmt.Sprintf("kv: a record of %d bytes", n))
	}
	size := footprint(uint32(n))
	var idx, off int
	slabSize := a.layout.SlabSize
	if size > int64(slabSize/16) {
		idx = a.newSlab(int(size))
	} else {
		if a.cur < 0 || a.fill+int(size) > len(a.slabs[a.cur]) {
			a.retireCurrent()
			a.cur, a.fill = a.newSlab(slabSize), 0
		}
		idx, off = a.cur, a.fill
		a.fill += int(size)
	}
	s := a.slabs[idx]
	binary.LittleEndian.PutUint32(s[off:], uint32(klen))
	binary.LittleEndian.PutUint32(s[off+4:], uint32(n))
	a.live[idx] += size
	a.liveBytes += size
	e := entry{ref: uint64(idx)<<32 | uint64(off), klen: uint32(klen), n: uint32(n)}
	return e, a.slabs.rec(e)
}

// newSlab adds a slab of size bytes and returns its index.
func (a *arena) newSlab(size int) int {
	s := make([]byte, size)
	a.inUse += int64(size)
	if k := len(a.free); k > 0 {
		idx := a.free[k-1]
		a.free = a.free[:k-1]
		a.slabs[idx], a.live[idx] = s, 0
		return idx
	}
	a.slabs = append(a.slabs, s)
	a.live = append(a.live, 0)
	return len(a.slabs) - 1
}

// retireCurrent stops filling the current slab; one with no live record
// left is emptied.
func (a *arena) retireCurrent() {
	if a.cur >= 0 && a.live[a.cur] == 0 {
		a.emptied = append(a.emptied, a.cur)
		a.inUse -= int64(len(a.slabs[a.cur]))
	}
	a.cur = -1
}

// header returns the record length field of e's header.
func (a *arena) header(e entry) []byte {
	off := uint32(e.ref)
	return a.slabs[e.ref>>32][off+4 : off+8]
}

// kill notes that e's record left the tree.
func (a *arena) kill(e entry) {
	h := a.header(e)
	n := binary.LittleEndian.Uint32(h)
	if n != e.n {
		panic(fmt.Sprintf("kv: killing record %x (length %d) whose header says %d", e.ref, e.n, n))
	}
	binary.LittleEndian.PutUint32(h, n|deadBit)
	idx := int(e.ref >> 32)
	size := footprint(e.n)
	a.live[idx] -= size
	a.liveBytes -= size
	if a.live[idx] < 0 {
		panic(fmt.Sprintf("kv: slab %d has %d live bytes", idx, a.live[idx]))
	}
	if a.live[idx] == 0 && idx != a.cur {
		a.emptied = append(a.emptied, idx)
		a.inUse -= int64(len(a.slabs[idx]))
		if a.layout.freeAtOnce {
			a.freeEmpty()
		}
	}
}

// revive undoes kill(e) (a delta rolled back).
func (a *arena) revive(e entry) {
	h := a.header(e)
	if n := binary.LittleEndian.Uint32(h); n != e.n|deadBit {
		panic(fmt.Sprintf("kv: reviving record %x (length %d) whose header says %d", e.ref, e.n, n))
	}
	binary.LittleEndian.PutUint32(h, e.n)
	idx := int(e.ref >> 32)
	if a.live[idx] == 0 && idx != a.cur {
		a.inUse += int64(len(a.slabs[idx])) // still listed in emptied: freeEmpty skips it
	}
	size := footprint(e.n)
	a.live[idx] += size
	a.liveBytes += size
}

// freeEmpty drops the slabs emptied since the last call that are still
// empty. Call it only where no note of the changes names a record of
// them: right after a snapshot took the notes and its table, or when
// there are no notes.
func (a *arena) freeEmpty() {
	for _, idx := range a.emptied {
		if a.live[idx] == 0 && idx != a.cur && a.slabs[idx] != nil {
			a.slabs[idx] = nil
			a.free = append(a.free, idx)
			if idx == a.victim {
				a.victim = -1 // its records all died before it moved them
			}
		}
	}
	a.emptied = a.emptied[:0]
}

// table returns a copy of the table of slabs, for a snapshot.
func (a *arena) table() slabs { return slices.Clone(a.slabs) }

// needsCompaction reports whether the slabs in use hold more than the
// layout's slack (a share of the live records) and floor beyond the live
// records; while a whole snapshot is being written, at least
// pinnedSlackPercent.
func (a *arena) needsCompaction() bool {
	pct := int64(a.layout.SlackPercent)
	if a.pinned.Load() > 0 {
		pct = max(pct, pinnedSlackPercent)
	}
	slack := a.liveBytes * pct / 100
	return a.inUse > a.liveBytes+slack+a.layout.CompactFloor
}

// earn credits compactions with compactCredit times size, up to
// maxCredit.
func (a *arena) earn(size int64) {
	a.credit = min(a.credit+size*compactCredit, a.maxCredit())
}

// maxCredit bounds the credit, and so what one write's compaction moves:
// a quarter of a slab, what compactCredit earns for the largest record a
// packed slab holds (a sixteenth of it). It was four slabs, compacted
// whole: one write moved up to 683 KB of records
// (BenchmarkOverwriteLargeState, 1M keys × 1 KiB), and a traced 124 ms
// iteration of a durable replica's loop, on two cores shared with two
// more replicas and the load, was one such compaction (docs/benchmarks.md,
// eleventh session).
func (a *arena) maxCredit() int64 { return int64(a.layout.SlabSize) / 4 }

// compact moves live records of the sparsest packed slab (other than the
// current one), if less than four fifths of it is live, to the current
// slab, replacing their entries in tree, which must be the tree of a's
// records; the slab is then empty. It reports whether there was a slab
// to compact. Each compaction frees a fifth of a slab or more, so
// repeated ones end; a slab filled by compactions is not sparse.
//
// A limited compaction (a write's) moves only what its credit allows
// (earn) and goes on from there at the next one: the slab being
// compacted is the victim, and its records before victimOff are all dead
// (moved, or killed before), so none can be revived (delta rollback) or
// need moving again. An unlimited one finishes the slab.
func (a *arena) compact(tree *btree.BTreeG[entry], limited bool) bool {
	if limited && a.credit <= 0 {
		return false
	}
	if a.victim < 0 {
		a.victim, a.victimOff = a.sparsest(), 0
		if a.victim < 0 {
			return false
		}
	}
	budget := int64(math.MaxInt64)
	if limited {
		budget = a.credit
	}
	moved := a.moveFromVictim(tree, budget)
	if limited {
		a.credit = max(0, a.credit-moved)
		a.mostMoved = max(a.mostMoved, moved)
	}
	return true
}

// sparsest returns the packed slab, other than the current one, with the
// fewest live bytes if under four fifths of it, else -1.
func (a *arena) sparsest() int {
	slabSize := a.layout.SlabSize
	victim, best := -1, int64(slabSize)*4/5
	for idx, s := range a.slabs {
		if len(s) == slabSize && idx != a.cur && a.live[idx] > 0 && a.live[idx] < best {
			victim, best = idx, a.live[idx]
		}
	}
	return victim
}

// moveFromVictim moves the victim's live records from victimOff on until
// it moved budget bytes or more, or the victim is empty, and returns the
// bytes it moved. An empty victim's compaction is done.
func (a *arena) moveFromVictim(tree *btree.BTreeG[entry], budget int64) int64 {
	victim := a.victim
	s := a.slabs[victim]
	var moved int64
	off := a.victimOff
	for off+recHeader <= len(s) && a.live[victim] > 0 && moved < budget {
		klen, n := binary.LittleEndian.Uint32(s[off:]), binary.LittleEndian.Uint32(s[off+4:])
		if n == 0 {
			break // the unused rest of the slab
		}
		if n&deadBit == 0 {
			old := entry{ref: uint64(victim)<<32 | uint64(off), klen: klen, n: n}
			old.prefix = keyPrefix(a.slabs.key(old))
			a.move(tree, old)
			moved += footprint(n)
		}
		off += int(footprint(n &^ deadBit))
	}
	a.victimOff = off
	if moved < budget || a.live[victim] == 0 {
		if a.live[victim] != 0 {
			panic(fmt.Sprintf("kv: slab %d kept %d live bytes after compaction", victim, a.live[victim]))
		}
		a.victim = -1
		a.compactions++
	}
	return moved
}

// move copies old's record to the current slab and replaces old in tree.
func (a *arena) move(tree *btree.BTreeG[entry], old entry) {
	moved, r := a.alloc(int(old.klen), int(old.n)-int(old.klen)-recTail)
	copy(r, a.slabs.rec(old)) // after alloc: it may grow the table
	moved.prefix = old.prefix
	prev, found := tree.ReplaceOrInsert(moved)
	if !found || prev != old {
		panic(fmt.Sprintf("kv: compaction found live record %x, the tree held %x (found %v)", old.ref, prev.ref, found))
	}
	a.kill(old)
}
