package kv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// deltaSnapshot and deltaStateMachine mirror core.DeltaSnapshot and
// core.DeltaStateMachine, which kv does not import.
type deltaSnapshot interface {
	io.WriterTo
	WriteDeltaTo(w io.Writer) (int64, error)
	HasDelta() bool
	Absorb(prev io.WriterTo) bool
}

type deltaStateMachine interface {
	stateMachine
	ApplyDelta(r io.Reader) error
}

var (
	_ deltaSnapshot     = (*snapshot)(nil)
	_ deltaStateMachine = (*Store)(nil)
)

// chainWriter models a driver's checkpoint writer: a base and deltas on
// top of it; a snapshot it does not write is absorbed by the next one
// (unless dropReplaced, a writer bug).
type chainWriter struct {
	base         []byte
	deltas       [][]byte
	pending      io.WriterTo // taken, not written
	dropReplaced bool
	layout       Layout // of the stores restore makes
}

// take handles a new snapshot: written now (whole or as a delta), or kept
// to be replaced.
func (c *chainWriter) take(t *testing.T, rng *rand.Rand, snap io.WriterTo) {
	t.Helper()
	d := snap.(deltaSnapshot)
	if c.pending != nil && !c.dropReplaced {
		d.Absorb(c.pending)
	}
	c.pending = nil
	if rng.IntN(4) == 0 {
		c.pending = snap // replaced by the next one
		return
	}
	var b bytes.Buffer
	if c.base == nil || !d.HasDelta() || rng.IntN(8) == 0 {
		if _, err := snap.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		c.base, c.deltas = b.Bytes(), nil
		return
	}
	if _, err := d.WriteDeltaTo(&b); err != nil {
		t.Fatal(err)
	}
	c.deltas = append(c.deltas, b.Bytes())
}

// restore rebuilds a store from the base and the deltas.
func (c *chainWriter) restore() (*Store, error) {
	s := newStore(Limits{}, c.layout)
	if err := s.Restore(bytes.NewReader(c.base)); err != nil {
		return nil, err
	}
	for i, d := range c.deltas {
		if err := s.ApplyDelta(bytes.NewReader(d)); err != nil {
			return nil, fmt.Errorf("delta %d: %w", i, err)
		}
	}
	return s, nil
}

// wideCommand is a random write over a key space of keys keys.
func wideCommand(rng *rand.Rand, keys int) Command {
	key := b(fmt.Sprintf("k%05d", rng.IntN(keys)))
	switch rng.IntN(8) {
	case 0, 1:
		return NewDelete(key)
	case 2:
		return NewIncr(key, int64(rng.IntN(5)))
	case 3:
		return NewBatch([]Command{NewPut(key, b("x")), NewDelete(b(fmt.Sprintf("k%05d", rng.IntN(keys))))})
	}
	return NewPut(key, bytes.Repeat(b("v"), rng.IntN(40)))
}

// deltasRestored counts the deltas restores applied, so that a test can
// tell it exercised them.
var deltasRestored int

// runChain applies random ops to a store, snapshots at random points,
// writes them through a chainWriter and, at random points, checks that
// base plus deltas restores the state of the last written snapshot; now
// and then it "restarts" from the restored store. It returns the first
// mismatch or restore error.
func runChain(t *testing.T, seed uint64, dropReplaced bool) error {
	rng := rand.New(rand.NewPCG(seed, 99))
	keys := []int{8, 200, 3000}[rng.IntN(3)]
	s := New(Limits{})
	c := &chainWriter{dropReplaced: dropReplaced}
	var want []byte // the state of the newest written snapshot
	for step := range 40 {
		for range rng.IntN([]int{5, 100, 1500}[rng.IntN(3)]) {
			s.Apply(0, wideCommand(rng, keys).Encode())
		}
		snap := s.Snapshot()
		c.take(t, rng, snap)
		if c.pending == nil {
			var b bytes.Buffer
			_, _ = snap.WriteTo(&b)
			want = b.Bytes()
		}
		if want == nil || rng.IntN(3) != 0 {
			continue
		}
		r, err := c.restore()
		if err != nil {
			return fmt.Errorf("seed %d step %d: restore: %w", seed, step, err)
		}
		deltasRestored += len(c.deltas)
		if got := r.Bytes(); !bytes.Equal(got, want) {
			return fmt.Errorf("seed %d step %d: base + %d deltas restored a state of %d bytes, want %d",
				seed, step, len(c.deltas), len(got), len(want))
		}
		if r.Size() != treeSize(r.tree) || s.Size() != treeSize(s.tree) {
			return fmt.Errorf("seed %d step %d: Size %d restored, %d live; the trees hold %d and %d bytes",
				seed, step, r.Size(), s.Size(), treeSize(r.tree), treeSize(s.tree))
		}
		if c.pending == nil && rng.IntN(4) == 0 {
			s = r // restart: the restored store carries on, its next delta from here
		}
	}
	return nil
}

// TestDeltaChainRestoresState: random op sequences, snapshots at random
// points (some replaced before being written, absorbed by the next), base
// rewritten now and then: base plus deltas always restores the state.
func TestDeltaChainRestoresState(t *testing.T) {
	deltasRestored = 0
	for seed := range uint64(30) {
		if err := runChain(t, seed, false); err != nil {
			t.Fatal(err)
		}
	}
	if deltasRestored == 0 {
		t.Fatal("no delta was ever restored: the test proves nothing")
	}
}

// TestDeltaChainCatchesDroppedSnapshot shows that the check above can
// fail: a writer that drops a replaced snapshot without absorbing its
// changes is caught (ApplyDelta refuses a delta that does not start from
// the store's revision).
func TestDeltaChainCatchesDroppedSnapshot(t *testing.T) {
	caught := 0
	for seed := range uint64(30) {
		if err := runChain(t, seed, true); err != nil {
			caught++
			if !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("caught, but not by ApplyDelta: %v", err)
			}
		}
	}
	if caught == 0 {
		t.Fatal("no seed caught a writer that drops replaced snapshots")
	}
	t.Logf("%d of 30 seeds caught it", caught)
}

// TestDeltaOnWrongStateRefused: a delta applied to a state other than its
// starting one is refused, and leaves the store unchanged.
func TestDeltaOnWrongStateRefused(t *testing.T) {
	s := filledStore(3, 500)
	_ = s.Snapshot()
	mustPut(t, s, "a", "1")
	var d bytes.Buffer
	if _, err := s.Snapshot().(deltaSnapshot).WriteDeltaTo(&d); err != nil {
		t.Fatal(err)
	}
	other := filledStore(3, 500)
	mustPut(t, other, "b", "2")
	before := other.Bytes()
	if err := other.ApplyDelta(bytes.NewReader(d.Bytes())); !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("ApplyDelta on another state: %v, want ErrBadSnapshot", err)
	}
	if !bytes.Equal(other.Bytes(), before) {
		t.Fatal("a refused delta changed the store")
	}
	// A flipped byte anywhere (the last ones: after every change was
	// applied, caught by the checksum at the end) is refused, and the
	// store is rolled back to what it was, its size too.
	for _, at := range []int{len(d.Bytes()) / 2, len(d.Bytes()) - 9, len(d.Bytes()) - 1} {
		flipped := bytes.Clone(d.Bytes())
		flipped[at] ^= 1
		ok := filledStore(3, 500)
		_ = ok.Snapshot()
		before, size := ok.Bytes(), ok.Size()
		if err := ok.ApplyDelta(bytes.NewReader(flipped)); err == nil {
			t.Fatalf("a delta with a flipped byte at %d was applied", at)
		}
		if !bytes.Equal(ok.Bytes(), before) || ok.Size() != size {
			t.Fatalf("a delta refused for a flipped byte at %d changed the store", at)
		}
	}
}

// TestDeltaKeepsSize: after deltas that replace, add and delete keys, the
// store's size is what its entries add up to (counted as it applies them,
// no longer by a walk of the tree).
func TestDeltaKeepsSize(t *testing.T) {
	src, dst := filledStore(3, 200), filledStore(3, 200)
	_, _ = src.Snapshot(), dst.Snapshot()
	for round := range 3 {
		for i := range 50 {
			mustPut(t, src, fmt.Sprintf("k%03d", i*3+round), strings.Repeat("x", i+round))
		}
		if _, err := src.Delete([]byte(fmt.Sprintf("k%03d", 7+round))); err != nil {
			t.Fatal(err)
		}
		var d bytes.Buffer
		if _, err := src.Snapshot().(deltaSnapshot).WriteDeltaTo(&d); err != nil {
			t.Fatal(err)
		}
		if err := dst.ApplyDelta(&d); err != nil {
			t.Fatal(err)
		}
		if dst.Size() != treeSize(dst.tree) || dst.Size() != src.Size() {
			t.Fatalf("round %d: size %d, its entries %d, the source's %d", round, dst.Size(), treeSize(dst.tree), src.Size())
		}
	}
}

// TestDeltaTrackingBounded: past trackLimit changes the store stops
// tracking and the next snapshot has no delta; the one after has again.
func TestDeltaTrackingBounded(t *testing.T) {
	s := New(Limits{})
	for i := range trackLimit(s.Len()) + 1 {
		mustPut(t, s, "hot", fmt.Sprint(i))
	}
	if s.Snapshot().(deltaSnapshot).HasDelta() {
		t.Fatal("a snapshot after more changes than tracked claims a delta")
	}
	mustPut(t, s, "hot", "x")
	if !s.Snapshot().(deltaSnapshot).HasDelta() {
		t.Fatal("tracking did not resume after a snapshot")
	}
}

// BenchmarkDeltaSmallChange: a delta of 1,000 changed keys in a store of
// 100,000 costs what changed, the full snapshot what is stored.
func BenchmarkDeltaSmallChange(b *testing.B) {
	s := New(Limits{})
	val := bytes.Repeat([]byte("v"), 1024)
	for i := range 100_000 {
		_, _ = s.Put([]byte(fmt.Sprintf("k%07d", i)), val)
	}
	for _, mode := range []string{"delta", "full"} {
		b.Run(mode, func(b *testing.B) {
			var n int64
			for i := 0; b.Loop(); i++ {
				_ = s.Snapshot()
				for k := range 1000 {
					_, _ = s.Put([]byte(fmt.Sprintf("k%07d", (i*1000+k)%100_000)), val)
				}
				snap := s.Snapshot().(deltaSnapshot)
				if mode == "delta" {
					n, _ = snap.WriteDeltaTo(io.Discard)
				} else {
					n, _ = snap.WriteTo(io.Discard)
				}
			}
			b.ReportMetric(float64(n), "bytes/ckpt")
		})
	}
}

// referenceDelta writes p's delta as the store once did: each changed key
// looked up in the snapshot's tree, its entry or its absence (encoded
// by the same writer).
func referenceDelta(p *snapshot) []byte {
	have := map[string]entry{}
	p.tree.Ascend(func(e entry) bool {
		have[string(p.recs.key(e))] = e
		return true
	})
	var keys [][]byte
	for _, set := range p.sets {
		for _, e := range set.notes {
			keys = append(keys, set.recs.key(e))
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	var notes []note
	for _, k := range keys {
		if e, found := have[string(k)]; found {
			notes = append(notes, note{e, p.recs})
			continue
		}
		a := newArena(Layout{}) // a removal: a tombstone of k, in an arena of its own
		notes = append(notes, note{tombstone(a.put(k, nil, 1)), a.slabs})
	}
	var out bytes.Buffer
	_, _ = writeDelta(&out, p.from, p.revision, notes)
	return out.Bytes()
}

// TestDeltaFromNotesMatchesLookups: a delta written from the notes of the
// changes is byte for byte the delta of looking every changed key up in
// the snapshot (the bytes of a checkpoint are compared across replicas
// and the simulator's runs), with keys written, removed and written again
// between snapshots, and snapshots absorbed.
func TestDeltaFromNotesMatchesLookups(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := New(Limits{})
		var prev io.WriterTo
		for step := range 30 {
			for range rng.IntN(300) {
				s.Apply(0, wideCommand(rng, []int{4, 50, 2000}[seed%3]).Encode())
			}
			snap := s.Snapshot().(*snapshot)
			if prev != nil && rng.IntN(3) == 0 {
				snap.Absorb(prev)
			}
			prev = snap
			if !snap.HasDelta() {
				continue
			}
			var got bytes.Buffer
			if _, err := snap.WriteDeltaTo(&got); err != nil {
				t.Fatal(err)
			}
			if want := referenceDelta(snap); !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("seed %d step %d: the delta from the notes (%d bytes) differs from the lookups' (%d bytes)",
					seed, step, got.Len(), len(want))
			}
		}
	}
}
