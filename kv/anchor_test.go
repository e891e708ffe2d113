package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestSnapshotsWriteTheirMoment takes snapshots at random moments of
// random writes and removals (over key spaces small enough for keys to be
// written many times within one anchor, and large enough for several
// anchors between a snapshot and its write), and writes each of them
// later, some while the store goes on in another goroutine: every one
// writes the state of its moment, byte for byte what a clone taken then
// writes (Bytes).
func TestSnapshotsWriteTheirMoment(t *testing.T) {
	anchors := 0
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 11))
		keys := []int{3, 40, 600, 5000}[seed%4]
		s := New(Limits{})
		type taken struct {
			snap []byte // what WriteTo wrote
			want []byte
		}
		var all []*taken
		var wg sync.WaitGroup
		for step := range 60 {
			prev := s.anchor.tree
			for range rng.IntN(400) {
				s.Apply(0, wideCommand(rng, keys).Encode())
			}
			if s.anchor.tree != prev {
				anchors++
			}
			if step%17 == 16 { // a restart: the state comes back from bytes
				r := New(Limits{})
				if err := r.Restore(bytes.NewReader(s.Bytes())); err != nil {
					t.Fatal(err)
				}
				s = r
			}
			tk := &taken{want: s.Bytes()}
			all = append(all, tk)
			snap := s.Snapshot()
			wg.Go(func() { // written while the store goes on
				var b bytes.Buffer
				if _, err := snap.WriteTo(&b); err != nil {
					t.Error(err)
				}
				tk.snap = b.Bytes()
			})
		}
		wg.Wait()
		for i, tk := range all {
			if !bytes.Equal(tk.snap, tk.want) {
				t.Fatalf("seed %d (%d keys): snapshot %d wrote %d bytes, the state then was %d bytes", seed, keys, i, len(tk.snap), len(tk.want))
			}
		}
	}
	if anchors < 20 {
		t.Fatalf("only %d new anchors in all: the test does not exercise them", anchors)
	}
	t.Logf("%d new anchors", anchors)
}

// TestAnchorJournalBounded: the journal never holds more than the anchor
// limit's notes, whatever the writes.
func TestAnchorJournalBounded(t *testing.T) {
	s := New(Limits{})
	for i := range 20000 {
		mustPut(t, s, fmt.Sprintf("k%d", i%3000), "v")
		if n, limit := len(s.anchor.journal), anchorLimit(s.tree.Len()); n >= limit {
			t.Fatalf("after write %d: journal of %d notes, limit %d", i, n, limit)
		}
	}
}
