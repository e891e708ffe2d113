package core_test

import (
	"slices"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// overtakingPrepares sends n requests whose Prepares to backup 2 are held
// in flight, then delivers those Prepares last first (later Prepares on
// the control lane overtaking earlier ones on the bulk lane). It returns
// backup 2's op right after the delivery, before any tick, the primary's
// op, and backup 2's counters.
func overtakingPrepares(t *testing.T, bugs plant.Bugs, n int) (op, want uint64, k core.Counters) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(bugs) })
	c.request(0, 1, 1, message.KindRegister, "")
	c.tick(2)
	c.hold = func(from int, e core.Envelope) bool {
		_, p := e.Msg.(*message.Prepare)
		return p && from == 0 && e.To == 2
	}
	for r := 2; r < 2+n; r++ {
		c.request(0, 1, uint64(r), message.KindApp, "v")
	}
	if len(c.held) != n {
		t.Fatalf("held %d Prepares to backup 2, want %d (one per request)", len(c.held), n)
	}
	slices.Reverse(c.held)
	c.release()
	i := c.info(2)
	return i.Op, c.info(0).Op, i.Counters
}

// A backup that receives Prepares in reverse order holds the early ones
// and appends them all as soon as the first arrives, with no tick, no
// retransmission and no state transfer; with plant drop-early-prepares
// (the paper's rule) it keeps only the first and lacks the rest until
// the primary sends them again.
func TestBackupHoldsEarlyPrepares(t *testing.T) {
	const n = 5
	op, want, k := overtakingPrepares(t, plant.Bugs{}, n)
	if op != want || k.PreparesHeld != n-1 || k.StateTransfers != 0 {
		t.Fatalf("backup op %d of %d, %d Prepares held, %d state transfers; want caught up, %d held, none", op, want, k.PreparesHeld, k.StateTransfers, n-1)
	}
	old, want, k := overtakingPrepares(t, plant.Bugs{DropEarlyPrepares: true}, n)
	t.Logf("with plant drop-early-prepares: backup op %d of %d, %d held", old, want, k.PreparesHeld)
	if old != want-n+1 || k.PreparesHeld != 0 {
		t.Fatalf("planted: backup op %d of %d with %d held; want %d (only the first Prepare kept)", old, want, k.PreparesHeld, want-n+1)
	}
}
