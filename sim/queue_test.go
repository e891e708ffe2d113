package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueOrder pushes and pops events at random and checks that the
// queue pops them in (at, seq) order, as a sorted list of the queued
// events does, and hands back each event's own fields.
func TestQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 50; round++ {
		var q eventQueue
		var want []event // the queued events, sorted by (at, seq)
		seq := uint64(0)
		for step := 0; step < 2000; step++ {
			if len(want) == 0 || rng.IntN(100) < 55 {
				seq++
				e := event{at: rng.Int64N(200), seq: seq, node: int(seq % 7), from: int(seq)}
				q.push(e)
				i, _ := slices.BinarySearchFunc(want, e, func(a, b event) int {
					return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
				})
				want = slices.Insert(want, i, e)
				continue
			}
			if q.len() != len(want) || q.next() != want[0].at {
				t.Fatalf("round %d step %d: %d queued, next at %d; want %d, next at %d",
					round, step, q.len(), q.next(), len(want), want[0].at)
			}
			got := q.pop()
			if got != want[0] {
				t.Fatalf("round %d step %d: popped %+v, want %+v", round, step, got, want[0])
			}
			want = want[1:]
		}
	}
}
