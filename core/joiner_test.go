package core_test

import (
	"fmt"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// joinAfterLaterView plays reconfig seed 53's schedule in the core. Epoch 1
// adds joiners 3 and 4 to replicas 0-2; joiner 4 is cut off, joiner 3
// joins at the RECONFIGURATION. The primary of view 0 (id 0) is then cut
// off, view 1 forms among ids 1-3 and commits ops past a checkpoint, so
// that the newest checkpoint any replica serves lies above the epoch's
// first op, with ops committed in view 1. View 1's StartView to joiner 4
// is held in flight. Joiner 4 comes back, installs that checkpoint, does
// not hear from view 1's primary for 60 ticks, and the held StartView
// then reaches it. It returns whether joiner 4 was ever
// normal in view 0 with a commit above the epoch's first op, its state at
// the end, and the panic's message if one ended the run.
func joinAfterLaterView(t *testing.T, bugs plant.Bugs) (inViewZero bool, end core.Info, panicked string) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(bugs); cfg.CheckpointInterval = 4 })
	c.writes(0, 1, 3)
	a, b := c.addJoiner(), c.addJoiner()
	c.isolate(b)
	if rp := c.reconfigure(0, 1, 0, 0, 1, 2, uint8(a), uint8(b)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("reconfiguration: reply %+v", rp)
	}
	c.tick(20)
	r := c.info(0).EpochOp
	if in := c.info(a); in.Epoch != 1 || in.Status != core.StatusNormal {
		t.Fatalf("joiner %d did not join at the RECONFIGURATION: %+v", a, in)
	}
	c.hold = func(_ int, e core.Envelope) bool {
		sv, ok := e.Msg.(*message.StartView)
		return ok && e.To == b && sv.View == 1
	}
	c.isolate(0)
	for k := 0; k < 500 && (c.info(1).View != 1 || c.info(1).Status != core.StatusNormal); k++ {
		c.tick(1)
	}
	if in := c.info(1); in.View != 1 || in.Status != core.StatusNormal {
		t.Fatalf("view 1 did not form: %+v", in)
	}
	c.writes(1, 2, 10)
	c.tick(5)
	for _, i := range []int{1, 2, a} {
		if in := c.info(i); in.SavedOp <= r {
			t.Fatalf("replica %d saved no checkpoint above the epoch's first op %d: %+v", i, r, in)
		}
	}
	c.hold = nil // the StartView stays in flight (c.held)
	for j := range c.replicas {
		if j != 0 {
			delete(c.cut, [2]int{b, j})
			delete(c.cut, [2]int{j, b})
		}
	}
	c.onOutput = func(i int, _ core.Output) {
		if in := c.replicas[i].Info(); i == b && in.Epoch == 1 && in.Status == core.StatusNormal && in.LastNormalView == 0 && in.Commit > r {
			inViewZero = true
		}
	}
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprint(p)
		}
	}()
	for k := 0; k < 200 && c.info(b).Status == core.StatusTransitioning; k++ {
		c.tick(1)
	}
	if in := c.info(b); in.Epoch != 1 || in.Executed <= r {
		t.Fatalf("joiner %d did not install a checkpoint above op %d: %+v", b, r, in)
	}
	// View 1's primary (id 1) does not reach it for a while: a planted
	// joiner times out in view 0 and moves to a view change for view 1,
	// where the StartView then finds it.
	c.cut[[2]int{1, b}] = true
	c.tick(60)
	delete(c.cut, [2]int{1, b})
	c.release()
	c.tick(20)
	return inViewZero, c.info(b), ""
}

// A joiner that installs a checkpoint above its epoch's first op, holding
// ops committed in view 1, learns view 1 before it takes part: the stale
// StartView of view 1 then finds it normal in view 1 (docs/protocol.md,
// "A joiner above R learns the view first"). With the planted old rule it
// enters view 0 normal with view 1's commits, and the StartView's check
// fails as in reconfig seed 53.
func TestJoinerAboveFirstOpLearnsView(t *testing.T) {
	zero, end, p := joinAfterLaterView(t, plant.Bugs{})
	if p != "" {
		t.Fatalf("panic: %s", p)
	}
	if zero {
		t.Fatal("the joiner was normal in view 0 with commits above the epoch's first op")
	}
	if end.Status != core.StatusNormal || end.View != 1 || end.LastNormalView != 1 {
		t.Fatalf("the joiner ended %v in view %d (last normal %d), want normal in view 1", end.Status, end.View, end.LastNormalView)
	}
	zero, _, p = joinAfterLaterView(t, plant.Bugs{JoinerInViewZero: true})
	t.Logf("with plant joiner-in-view-0: normal in view 0 with a later commit: %v; panic: %s", zero, p)
	if !zero || p == "" {
		t.Fatalf("the planted joiner: normal in view 0 with a later commit %v, panic %q", zero, p)
	}
}
