package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestCountersCountProtocolEvents checks each monitoring counter against
// a schedule that causes its event a known number of times.
func TestCountersCountProtocolEvents(t *testing.T) {
	c := newCluster(t, 3) // MaxSessions = 4
	for client := uint64(1); client <= 6; client++ {
		register(c, 0, client)
	}
	if got := c.info(0).Counters; got.Sessions != 4 || got.SessionEvictions != 2 {
		t.Fatalf("after 6 registrations in a table of 4: %+v, want 4 sessions and 2 evictions", got)
	}
	c.isolate(2)
	for i := uint64(2); i < 6; i++ {
		c.request(0, 6, i, message.KindApp, "op")
	}
	c.heal()
	// The Prepares are lost, not late: the backup asks for the ops it
	// lacks only when they do not arrive by themselves.
	c.hold = func(_ int, e core.Envelope) bool {
		_, p := e.Msg.(*message.Prepare)
		return p && e.To == 2
	}
	c.tick(10)
	if got := c.info(2).Counters.StateTransfers; got != 1 {
		t.Fatalf("lagging backup: %d state transfers, want 1", got)
	}
	c.hold, c.held = nil, nil
	c.down[0] = true
	c.tick(40)
	for i := 1; i < 3; i++ {
		if got := c.info(i); got.Status != core.StatusNormal || got.Counters.ViewChanges != 1 {
			t.Fatalf("replica %d after one view change: %+v", i, got)
		}
	}
	c.down[0] = false
	c.start(2, true) // replica 2 lost its state
	c.deliver()
	c.tick(5)
	if got := c.info(2); got.Status != core.StatusNormal || got.Counters.Recoveries != 1 {
		t.Fatalf("after one recovery: %+v", got)
	}
}
