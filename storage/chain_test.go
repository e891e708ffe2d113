package storage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// testStorage is a Storage of dir with only what checkpoints need.
func testStorage(dir string) *Storage {
	return &Storage{cfg: Config{Dir: dir}.withDefaults()}
}

// reload reads the newest checkpoint back as a restart does and restores
// it into a new store.
func reload(t *testing.T, dir string) (*kv.Store, *Storage, error) {
	t.Helper()
	s := testStorage(dir)
	ck, _, err := s.loadCheckpoint()
	if err != nil {
		return nil, s, err
	}
	st := kv.New(kv.Limits{})
	if err := core.RestoreState(ck, st); err != nil {
		t.Fatalf("restore of a verified chain: %v", err)
	}
	return st, s, nil
}

// fill applies n random writes over keys keys.
func fill(rng *rand.Rand, st *kv.Store, n, keys int) {
	for range n {
		k := []byte(fmt.Sprintf("k%05d", rng.IntN(keys)))
		if rng.IntN(4) == 0 {
			st.Execute(kv.NewDelete(k))
			continue
		}
		st.Execute(kv.NewPut(k, bytes.Repeat([]byte{byte(rng.IntN(256))}, 1+rng.IntN(100))))
	}
}

// TestChainRestoresState writes random checkpoints through the storage
// (some replaced before being written, absorbed by the next, as the
// node's writer does) and checks after each that a restart restores
// exactly the state of the newest one; the chain must both grow deltas
// and start new bases, written in the background lane (WriteBase) up to
// two links late.
func TestChainRestoresState(t *testing.T) {
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 5))
		dir := t.TempDir()
		s, st := testStorage(dir), kv.New(kv.Limits{})
		fill(rng, st, 3000, 2000)
		var pending, rebasing *core.Checkpoint
		var prev uint64
		rebaseAfter, switched := 0, 0
		deltas, bases := 0, 0
		for op := uint64(1); op <= 40; op++ {
			fill(rng, st, rng.IntN(400), 2000)
			ck := core.TakeCheckpoint(op, prev, st.Snapshot())
			prev = op
			ck.Absorb(pending)
			pending = nil
			if rng.IntN(4) == 0 {
				pending = ck
				continue
			}
			w, err := s.WriteCheckpoint(ck, core.HardState{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if w.Links[len(w.Links)-1].Delta {
				deltas++
			} else {
				bases++
			}
			if w.Rebase {
				rebasing, rebaseAfter = ck, rng.IntN(3) // the second lane, behind by 0 to 2 links
			}
			if rebasing != nil && rebaseAfter == 0 {
				if _, err := s.WriteBase(rebasing, nil); err != nil {
					t.Fatal(err)
				}
				if c := s.Chain(); c[0].Op == rebasing.Op && !c[0].Delta {
					switched++
				}
				rebasing = nil
				bases++
			}
			rebaseAfter--
			got, _, err := reload(t, dir)
			if err != nil {
				t.Fatalf("seed %d op %d: %v", seed, op, err)
			}
			if !bytes.Equal(got.Bytes(), st.Bytes()) {
				t.Fatalf("seed %d op %d: the chain of %d files restored another state", seed, op, len(w.Links))
			}
		}
		if deltas == 0 || bases < 2 || switched == 0 {
			t.Fatalf("seed %d: %d deltas, %d bases, %d switched to a background base: the chain was not exercised",
				seed, deltas, bases, switched)
		}
	}
}

// writeChain writes a base and three deltas into dir and returns their
// links.
func writeChain(t *testing.T, dir string) []Link {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	s, st := testStorage(dir), kv.New(kv.Limits{})
	fill(rng, st, 5000, 3000)
	var w Written
	for op := uint64(1); op <= 4; op++ {
		fill(rng, st, 50, 3000)
		var err error
		if w, err = s.WriteCheckpoint(core.TakeCheckpoint(op, op-1, st.Snapshot()), core.HardState{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.Links) != 4 || !w.Links[3].Delta || w.Links[0].Delta {
		t.Fatalf("links %+v: want a base and three deltas", w.Links)
	}
	return w.Links
}

// TestDamagedDeltaIsMovedAside: a flipped byte in any delta of the chain
// fails the restart's checks; the chain's files are moved aside and no
// checkpoint is used (the replica fetches one from its peers).
func TestDamagedDeltaIsMovedAside(t *testing.T) {
	for i := 1; i < 4; i++ {
		dir := t.TempDir()
		links := writeChain(t, dir)
		path := filepath.Join(dir, links[i].Name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x10
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err = reload(t, dir)
		if !errors.Is(err, core.ErrBadCheckpoint) {
			t.Fatalf("delta %d damaged: %v, want ErrBadCheckpoint", i, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("delta %d damaged: the file was not moved aside (%v)", i, err)
		}
	}
}

// TestMissingDeltaIsRefused: a chain with a delta file missing is not
// restored (the walk back from the newest link cannot reach the base).
func TestMissingDeltaIsRefused(t *testing.T) {
	dir := t.TempDir()
	links := writeChain(t, dir)
	if err := os.Remove(filepath.Join(dir, links[2].Name)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reload(t, dir); err == nil {
		t.Fatal("a chain with a missing delta was restored")
	}
}

// TestChainKeepsOlderDeltas: once a background base of op B is in place,
// the chain keeps the deltas of the chain before it up to B's (Older,
// with the deltas after B), and names their files to keep; a base
// written in line drops them.
func TestChainKeepsOlderDeltas(t *testing.T) {
	var c Chain
	c.Add(Link{Op: 10, Name: CheckpointFile(10), Size: 100})
	for _, op := range []uint64{15, 20, 25} {
		c.Add(Link{Op: op, Name: DeltaFile(op), Size: 5, Delta: true})
	}
	if c.Older() != nil {
		t.Fatalf("older deltas before any background base: %v", c.Older())
	}
	c.BaseDone(Link{Op: 20, Name: CheckpointFile(20), Size: 100}, true)
	c.Add(Link{Op: 30, Name: DeltaFile(30), Size: 5, Delta: true})
	links, older := c.Both()
	if ops(links) != "[20 25 30]" || ops(older) != "[15 20 25 30]" || !older[0].Delta || !older[1].Delta {
		t.Fatalf("links %v, older %v", ops(links), ops(older))
	}
	names := fmt.Sprint(c.Names())
	for _, n := range []string{DeltaFile(15), DeltaFile(20), CheckpointFile(20), DeltaFile(25)} {
		if !bytes.Contains([]byte(names), []byte(n)) {
			t.Fatalf("%s not kept: %s", n, names)
		}
	}
	if bytes.Contains([]byte(names), []byte(CheckpointFile(10))) {
		t.Fatalf("the old base is kept: %s", names)
	}
	c.Add(Link{Op: 35, Name: CheckpointFile(35), Size: 100})
	if c.Older() != nil {
		t.Fatalf("older deltas after a base in line: %v", ops(c.Older()))
	}
}

func ops(links []Link) string {
	var out []uint64
	for _, l := range links {
		out = append(out, l.Op)
	}
	return fmt.Sprint(out)
}

// TestStaggeredRebasesStayApart feeds the chains of three replicas the
// same checkpoints at the same moments, as a cluster's replicas write
// them, each base taking baseTime to write, and checks that with Stagger
// no two replicas ever write a base at the same time, and that each
// starts its bases in its own turn; without Stagger all three write every
// base together.
func TestStaggeredRebasesStayApart(t *testing.T) {
	t.Run("unpaced", func(t *testing.T) { testStaggered(t, 300*time.Millisecond, 3*time.Second, 1<<30, 0) })
	// 1.5 GiB at 128 MiB/s: 12 s a base, turns of 16 s.
	t.Run("paced", func(t *testing.T) { testStaggered(t, 600*time.Millisecond, 12*time.Second, 3<<29, 128<<20) })
}

func testStaggered(t *testing.T, every, baseTime time.Duration, baseSize uint64, rate int64) {
	const replicas, checkpoints = 3, 2000
	const deltaSize = 1 << 20 // the count of deltas decides
	rng := rand.New(rand.NewPCG(uint64(rate), 3))
	epoch := time.Unix(1_800_000_000, 0)
	now := epoch
	clock := func() time.Time { return now }
	chains := make([]Chain, replicas)
	type basing struct {
		op    uint64
		start time.Time
	}
	running := make([]*basing, replicas)
	var starts [replicas][]time.Time
	for i := range chains {
		chains[i].Stagger(i, replicas, clock, rate)
		chains[i].Add(Link{Op: 1, Size: baseSize})
	}
	st := kv.New(kv.Limits{})
	for op := uint64(2); op <= checkpoints; op++ {
		now = now.Add(every/2 + time.Duration(rng.Int64N(int64(every)))) // on average every
		st.Execute(kv.NewPut([]byte(fmt.Sprint(op)), []byte("v")))
		ck := core.TakeCheckpoint(op, op-1, st.Snapshot())
		for i := range chains {
			c := &chains[i]
			if b := running[i]; b != nil && now.Sub(b.start) >= baseTime {
				c.BaseDone(Link{Op: b.op, Size: baseSize}, true)
				running[i] = nil
			}
			p := c.Plan(ck)
			if !p.Delta {
				t.Fatalf("replica %d: op %d not planned as a delta", i, op)
			}
			c.Add(Link{Op: op, Size: deltaSize, Delta: true})
			if p.Rebase {
				running[i] = &basing{op, now}
				starts[i] = append(starts[i], now)
				turn := turnLength(baseSize, rate)
				into := time.Duration(now.UnixNano()%int64(turn*replicas)) - turn*time.Duration(i)
				if into < 0 || into >= turn || (rate > 0 && into+baseTime > turn) {
					t.Errorf("replica %d started a base at %v, %v into its turn of %v", i, now.Sub(epoch), into, turn)
				}
			}
		}
	}
	for i := range replicas {
		if len(starts[i]) < 5 {
			t.Fatalf("replica %d started %d bases: too few to judge", i, len(starts[i]))
		}
		for j := range i {
			for _, a := range starts[i] {
				for _, b := range starts[j] {
					if d := a.Sub(b); d < baseTime && d > -baseTime {
						t.Errorf("replicas %d and %d write bases at once: started at %v and %v", i, j, a.Sub(epoch), b.Sub(epoch))
					}
				}
			}
		}
	}
	t.Logf("bases per replica: %d, %d, %d", len(starts[0]), len(starts[1]), len(starts[2]))
}

// TestTurnLength: a turn lasts as long as a base takes at the pace, in
// whole slots, and at least one.
func TestTurnLength(t *testing.T) {
	for _, c := range []struct {
		size uint64
		rate int64
		want time.Duration
	}{
		{1 << 30, 0, staggerSlot},
		{1 << 20, 128 << 20, staggerSlot},
		{1 << 30, 128 << 20, 12 * time.Second}, // 8 s a base
		{1 << 30, 64 << 20, 22 * time.Second},  // 16 s a base
	} {
		if got := turnLength(c.size, c.rate); got != c.want {
			t.Errorf("turnLength(%d, %d) = %v, want %v", c.size, c.rate, got, c.want)
		}
	}
}

// TestInTurnLeavesRoomForTheBase: a paced base starts in its replica's
// turn only while it can end within it; an unpaced one any time in it.
func TestInTurnLeavesRoomForTheBase(t *testing.T) {
	const size, rate = 1 << 30, 128 << 20 // 8 s a base, turns of 12 s
	turn := turnLength(size, rate)
	start := time.Unix(0, 0).Add(turn) // replica 1's turn of 3
	for _, c := range []struct {
		into    time.Duration
		rate    int64
		want    bool
		replica int
	}{
		{0, rate, true, 1},
		{turn - 8*time.Second, rate, true, 1},
		{turn - 7*time.Second, rate, false, 1}, // would end in replica 2's turn
		{0, rate, false, 0},
		{0, rate, false, 2},
	} {
		if got := inTurn(start.Add(c.into), c.replica, 3, size, c.rate); got != c.want {
			t.Errorf("replica %d, %v into replica 1's turn, rate %d: inTurn %v, want %v", c.replica, c.into, c.rate, got, c.want)
		}
	}
}
