package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// slowStartView plays a view change whose StartView (and any NewState,
// which would carry the same log) is slow to reach one backup, as on a
// slow bulk lane, while the new primary's Commits reach it at once.
// Five replicas: the primary of view 0 is cut off, view 1 forms, and
// replica 4 waits for its StartView from replica 1 for 100 ticks (ten
// base view-change timeouts). It returns replica 4's state then, and
// after the StartView arrived.
func slowStartView(t *testing.T, bugs plant.Bugs) (waiting, after core.Info) {
	c := newClusterWith(t, 5, func(cfg *core.Config) { cfg.Plant(bugs) })
	c.hold = func(from int, e core.Envelope) bool {
		switch e.Msg.(type) {
		case *message.StartView:
			return from == 1 && e.To == 4
		case *message.NewState:
			return e.To == 4
		}
		return false
	}
	c.isolate(0)
	for k := 0; k < 200 && (c.info(1).View != 1 || c.info(1).Status != core.StatusNormal); k++ {
		c.tick(1)
	}
	if i := c.info(1); i.Status != core.StatusNormal || i.View != 1 {
		t.Fatalf("view 1 did not form: %+v", i)
	}
	c.tick(100)
	waiting = c.info(4)
	c.release()
	c.tick(20)
	return waiting, c.info(4)
}

// A backup changing to a view whose primary's Commits reach it waits for
// the StartView instead of timing out (docs/protocol.md, "View change",
// departure 7); with the old timer it moves on to view 2 alone.
func TestViewChangeWaitsForStartViewOnItsWay(t *testing.T) {
	waiting, after := slowStartView(t, plant.Bugs{})
	if waiting.View != 1 || waiting.Status != core.StatusViewChange {
		t.Fatalf("while its StartView was on its way, replica 4 left view 1: %+v", waiting)
	}
	if after.View != 1 || after.Status != core.StatusNormal {
		t.Fatalf("replica 4 did not enter view 1 once its StartView arrived: %+v", after)
	}
	old, _ := slowStartView(t, plant.Bugs{ViewTimerIgnoresProgress: true})
	t.Logf("with plant view-timer-ignores-progress, replica 4 was in view %d (%v)", old.View, old.Status)
	if old.View == 1 {
		t.Fatalf("the planted old timer did not time out: %+v", old)
	}
}
