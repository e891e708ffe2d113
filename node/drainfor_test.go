package node

import (
	"testing"
	"time"

	"github.com/vr-go/vr/message"
)

// TestDrainForStopsAtBudget: a drain yields its first input whatever the
// clock says, then inputs while less than the budget has passed since
// that first one, then none, though more are queued.
func TestDrainForStopsAtBudget(t *testing.T) {
	var clock time.Duration
	now := func() time.Duration { return clock }
	queued := 0
	next := func() (message.Message, bool) {
		queued++
		return &message.Commit{Commit: uint64(queued)}, true
	}
	drain := drainFor(next, now, 5*time.Millisecond)
	for k := 1; k <= 3; k++ {
		if _, ok := drain(); !ok {
			t.Fatalf("input %d refused at %v", k, clock)
		}
		clock += 2 * time.Millisecond
	}
	// 6 ms since the first input: the budget is spent.
	if m, ok := drain(); ok {
		t.Fatalf("input %v yielded %v after the first, budget 5ms", m, clock)
	}
	if queued != 3 {
		t.Fatalf("%d inputs taken from the queue, want 3 (none past the budget)", queued)
	}
}
