package kv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/vr-go/vr/internal/plant"
)

// smallSlabs packs records in 4 KiB slabs (big records: above 256 bytes)
// and compacts as soon as the slabs hold a quarter more than the live
// records.
var smallSlabs = Layout{SlabSize: 4 << 10, CompactFloor: -1}

// checkArena returns what is wrong with s's arena: every entry of the
// tree must name a live record whose header agrees with it, each slab's
// live bytes must be those of its entries, inUse the slabs holding one
// (or current), and the slabs in use within the slack of the live bytes
// and two slabs.
func checkArena(s *Store) error {
	a := s.arena
	live := make([]int64, len(a.slabs))
	var total int64
	var bad error
	s.tree.Ascend(func(e entry) bool {
		idx := e.ref >> 32
		if int(idx) >= len(a.slabs) || a.slabs[idx] == nil {
			bad = fmt.Errorf("entry %x names a dropped slab", e.ref)
			return false
		}
		if n := binary.LittleEndian.Uint32(a.header(e)); n != e.n {
			bad = fmt.Errorf("entry %x of length %d: header says %#x", e.ref, e.n, n)
			return false
		}
		live[idx] += footprint(e.n)
		total += footprint(e.n)
		return true
	})
	if bad != nil {
		return bad
	}
	var inUse int64
	for idx, s := range a.slabs {
		if live[idx] != a.live[idx] {
			return fmt.Errorf("slab %d: %d live bytes counted, its entries hold %d", idx, a.live[idx], live[idx])
		}
		if s != nil && (live[idx] > 0 || idx == a.cur) {
			inUse += int64(len(s))
		}
	}
	if total != a.liveBytes || inUse != a.inUse {
		return fmt.Errorf("live bytes %d counted, %d held; in use %d counted, %d held", a.liveBytes, total, a.inUse, inUse)
	}
	if bound := a.liveBytes + a.liveBytes*int64(a.layout.SlackPercent)/100 + a.layout.CompactFloor + 2*int64(a.layout.SlabSize); a.inUse > bound {
		return fmt.Errorf("slabs in use hold %d bytes for %d live (bound %d)", a.inUse, a.liveBytes, bound)
	}
	return nil
}

// arenaCommand is wideCommand's random write, or one time in eight a put
// of a record big enough for a slab of its own.
func arenaCommand(rng *rand.Rand, keys int) Command {
	if rng.IntN(8) == 0 {
		return NewPut(b(fmt.Sprintf("k%05d", rng.IntN(keys))), bytes.Repeat(b("B"), 300+rng.IntN(1500)))
	}
	return wideCommand(rng, keys)
}

// heldSnapshot is a snapshot and the bytes it wrote when it was taken.
type heldSnapshot struct {
	snap io.WriterTo
	want []byte
}

// runArena applies random writes to a store with small slabs, takes
// snapshots (some held and rewritten much later, after compactions have
// moved their records and dropped and reused their slabs), writes a chain
// of base and deltas and restores it, and checks the arena after every
// write. It returns the first failure.
func runArena(t *testing.T, seed uint64, layout Layout) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("seed %d: panic: %v", seed, r)
		}
	}()
	rng := rand.New(rand.NewPCG(seed, 5))
	keys := []int{10, 100, 1000}[rng.IntN(3)]
	s := newStore(Limits{MaxValue: 1 << 20}, layout)
	c := &chainWriter{layout: layout}
	var held []heldSnapshot
	var want []byte
	for step := range 60 {
		for range rng.IntN(300) {
			s.Apply(0, arenaCommand(rng, keys).Encode())
			if err := checkArena(s); err != nil {
				return fmt.Errorf("seed %d step %d: %w", seed, step, err)
			}
		}
		snap := s.Snapshot()
		var now bytes.Buffer
		_, _ = snap.WriteTo(&now)
		if rng.IntN(3) == 0 {
			held = append(held, heldSnapshot{snap, now.Bytes()})
		}
		c.take(t, rng, snap)
		if c.pending == nil {
			want = now.Bytes()
		}
		for i := 0; i < len(held); i++ {
			if rng.IntN(4) != 0 {
				continue
			}
			var again bytes.Buffer
			_, _ = held[i].snap.WriteTo(&again)
			if !bytes.Equal(again.Bytes(), held[i].want) {
				return fmt.Errorf("seed %d step %d: a snapshot rewritten later wrote other bytes", seed, step)
			}
			held = append(held[:i], held[i+1:]...)
		}
		if want == nil || rng.IntN(3) != 0 {
			continue
		}
		r, err := c.restore()
		if err != nil {
			return fmt.Errorf("seed %d step %d: restore: %w", seed, step, err)
		}
		if got := r.Bytes(); !bytes.Equal(got, want) {
			return fmt.Errorf("seed %d step %d: base and %d deltas restored another state", seed, step, len(c.deltas))
		}
		if err := checkArena(r); err != nil {
			return fmt.Errorf("seed %d step %d: restored: %w", seed, step, err)
		}
		if c.pending == nil && rng.IntN(4) == 0 {
			arenaCompactions += s.arena.compactions
			s = r
		}
	}
	arenaCompactions += s.arena.compactions
	return nil
}

// TestArenaKeepsRecordsAndBounds runs runArena over many seeds.
func TestArenaKeepsRecordsAndBounds(t *testing.T) {
	arenaCompactions = 0
	for seed := range uint64(40) {
		if err := runArena(t, seed, smallSlabs); err != nil {
			t.Fatal(err)
		}
	}
	if arenaCompactions < 100 {
		t.Fatalf("%d compactions in 40 runs: the test proves little", arenaCompactions)
	}
	t.Logf("%d compactions", arenaCompactions)
}

// arenaCompactions counts the compactions of runArena's stores.
var arenaCompactions int

// TestArenaCatchesFreeAtOnce plants FreeAtOnce (an emptied slab dropped
// while notes of the changes still name its records, its index then
// reused): some seed's deltas or snapshots come out wrong.
func TestArenaCatchesFreeAtOnce(t *testing.T) {
	layout := smallSlabs
	layout.Plant(plant.KV{FreeAtOnce: true})
	for seed := range uint64(40) {
		if err := runArena(t, seed, layout); err != nil {
			t.Logf("caught: %v", err)
			return
		}
	}
	t.Fatal("no seed caught the planted bug")
}

// TestCompactionMovesRecords: overwriting most of a store's keys leaves
// its slabs sparse; the store compacts them back near its live bytes,
// and every key reads back.
func TestCompactionMovesRecords(t *testing.T) {
	s := newStore(Limits{}, smallSlabs)
	value := bytes.Repeat(b("x"), 40)
	for i := range 2000 {
		mustPutBytes(t, s, fmt.Sprintf("k%05d", i), value)
	}
	before := len(s.arena.slabs)
	for i := range 2000 {
		if i%5 != 0 {
			mustPutBytes(t, s, fmt.Sprintf("k%05d", i), value[:10])
		}
	}
	s.Snapshot() // drops the emptied slabs
	if err := checkArena(s); err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, sl := range s.arena.slabs {
		if sl == nil {
			dropped++
		}
	}
	if dropped == 0 || len(s.arena.free) != dropped {
		t.Fatalf("%d of %d slabs dropped (%d before the overwrites), %d free", dropped, len(s.arena.slabs), before, len(s.arena.free))
	}
	for i := range 2000 {
		it, found, err := s.Get(b(fmt.Sprintf("k%05d", i)))
		want := value[:10]
		if i%5 == 0 {
			want = value
		}
		if err != nil || !found || !bytes.Equal(it.Value, want) {
			t.Fatalf("k%05d: %q %v %v", i, it.Value, found, err)
		}
	}
}

// TestSnapshotWhileCompacting writes snapshots on other goroutines while
// the store overwrites, compacts, drops slabs and reuses their indexes:
// each writes the state at its Snapshot call (run with -race for the
// concurrency half: records are never written once a snapshot can read
// them, and the dead bits are words of their own).
func TestSnapshotWhileCompacting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := newStore(Limits{MaxValue: 1 << 20}, smallSlabs)
	type result struct {
		got, want []byte
		err       error
	}
	results := make(chan result, 20)
	for range 20 {
		for range 400 {
			s.Apply(0, arenaCommand(rng, 300).Encode())
		}
		want := s.Bytes()
		snap := s.Snapshot()
		go func() {
			var b bytes.Buffer
			_, err := snap.WriteTo(&b)
			results <- result{b.Bytes(), want, err}
		}()
	}
	for range 20 {
		r := <-results
		if r.err != nil || !bytes.Equal(r.got, r.want) {
			t.Fatalf("a snapshot written beside the store's writes differs (%v)", r.err)
		}
	}
	if s.arena.compactions == 0 || len(s.arena.free) == 0 && len(s.arena.emptied) == 0 {
		t.Fatalf("%d compactions, %d slabs dropped: the test proves nothing", s.arena.compactions, len(s.arena.free))
	}
}

// TestLayoutBounds: a slab size out of range is refused (ErrBadLayout); zero
// fields take the defaults, and a negative floor means none.
func TestLayoutBounds(t *testing.T) {
	for _, size := range []int{-1, MinSlabSize - 1, MaxSlabSize + 1} {
		if s, err := NewWithLayout(Limits{}, Layout{SlabSize: size}); !errors.Is(err, ErrBadLayout) || s != nil {
			t.Errorf("slabs of %d bytes: %v, %v", size, s, err)
		}
	}
	if _, err := NewWithLayout(Limits{}, Layout{SlabSize: MinSlabSize}); err != nil {
		t.Errorf("the smallest slabs refused: %v", err)
	}
	if l := (Layout{}).withDefaults(); l.SlabSize != defaultSlabSize || l.CompactFloor != defaultCompactFloor || l.SlackPercent != defaultSlackPercent {
		t.Errorf("zero layout: %+v", l)
	}
	if l := (Layout{SlabSize: MinSlabSize, CompactFloor: -1}).withDefaults(); l.SlabSize != MinSlabSize || l.CompactFloor != 0 {
		t.Errorf("small slabs, no floor: %+v", l)
	}
}

// TestPinnedSlackBounded: while a whole snapshot is being written
// (arena.pinned), the store lets its slabs grow past the usual slack, but
// not past pinnedSlackPercent of the live bytes: the live heap at that
// moment is a replica's peak memory (docs/benchmarks.md, seventh session).
func TestPinnedSlackBounded(t *testing.T) {
	s := newStore(Limits{}, smallSlabs)
	rng := rand.New(rand.NewPCG(5, 6))
	value := bytes.Repeat(b("v"), 100)
	const keys = 4000
	for i := range keys {
		mustPutBytes(t, s, fmt.Sprintf("k%05d", i), value)
	}
	a := s.arena
	a.pinned.Add(1) // as WriteTo does for its whole run
	defer a.pinned.Add(-1)
	worst := 0.0
	for range 20 * keys {
		mustPutBytes(t, s, fmt.Sprintf("k%05d", rng.IntN(keys)), value)
		slack := float64(a.inUse-a.liveBytes-2*int64(a.layout.SlabSize)) / float64(a.liveBytes)
		worst = max(worst, slack)
	}
	t.Logf("largest slack while pinned: %.1f%% of the live bytes", 100*worst)
	if worst > pinnedSlackPercent/100.0 {
		t.Fatalf("slabs held %.1f%% more than the live bytes while a snapshot was pinned; at most %d%% allowed", 100*worst, pinnedSlackPercent)
	}
	if worst*100 < float64(a.layout.SlackPercent) {
		t.Fatalf("slack while pinned stayed at %.1f%%, under the %d%% allowed unpinned: the test proves nothing", 100*worst, a.layout.SlackPercent)
	}
}

// TestCompactionMovesLittleAtOnce: a write's compaction runs on the
// replica's loop, inside the write, so it moves at most its credit's
// bound (a quarter of a slab) plus one record, going on with the same
// slab at later writes, while the slabs stay within their slack.
// Compacting a whole slab (up to four fifths of it) in one write, as
// before, fails it.
func TestCompactionMovesLittleAtOnce(t *testing.T) {
	layout := Layout{SlabSize: 64 << 10, CompactFloor: 256 << 10}
	s := newStore(Limits{}, layout)
	rng := rand.New(rand.NewPCG(5, 6))
	const keys, valueSize = 4000, 500
	value := make([]byte, valueSize)
	for i := range 60_000 {
		k := i
		if i >= keys {
			k = rng.IntN(keys)
		}
		s.Apply(0, NewPut(fmt.Appendf(nil, "%06d", k), value).Encode())
		if i%5000 == 4999 {
			s.Snapshot() // as a checkpoint does: the slabs stay shared
		}
	}
	m := s.Memory()
	bound := int64(layout.SlabSize)/4 + footprint(uint32(6+valueSize+recTail))
	if m.Compactions < 20 {
		t.Fatalf("%d compactions: the test proves little", m.Compactions)
	}
	if m.MostMovedAtOnce > bound || m.MostMovedAtOnce == 0 {
		t.Errorf("one write's compaction moved %d bytes (bound %d)", m.MostMovedAtOnce, bound)
	}
	slack := m.LiveBytes*int64(defaultSlackPercent)/100 + layout.CompactFloor + 4*int64(layout.SlabSize)
	if m.SlabBytes > m.LiveBytes+slack {
		t.Errorf("slabs %d bytes for %d live: compaction fell behind", m.SlabBytes, m.LiveBytes)
	}
	t.Logf("%d compactions, at most %d bytes moved by one write, slabs %d for %d live", m.Compactions, m.MostMovedAtOnce, m.SlabBytes, m.LiveBytes)
}
