package sim

import (
	"testing"

	"github.com/vr-go/vr/core"
)

// The commit-view bound: the epoch's first op, then what normal primaries
// counted committed in views up to the replica's last normal view; a
// primary that left its view in the step its commit rose counts it there.
func TestCommitViewsAllowed(t *testing.T) {
	c := commitViews{}
	primary := func(view, ack uint64) *core.Info {
		return &core.Info{Epoch: 2, Status: core.StatusNormal, View: view, Primary: 1, Index: 1, AckCommit: ack}
	}
	c.recordStep(lastLed{}, primary(0, 54))
	c.recordStep(lastLed{}, primary(1, 60))
	if got := c.allowed(2, 50, 0); got != 54 {
		t.Fatalf("view 0 allows %d, want 54", got)
	}
	if got := c.allowed(2, 50, 3); got != 60 {
		t.Fatalf("view 3 allows %d, want 60", got)
	}
	if got := c.allowed(3, 70, 0); got != 70 {
		t.Fatalf("a new epoch allows %d, want its first op 70", got)
	}
	left := &core.Info{Epoch: 2, Status: core.StatusViewChange, View: 2, LastNormalView: 1, Commit: 63, Index: 1, Primary: 2}
	c.recordStep(ledBy(primary(1, 60)), left)
	if got := c.allowed(2, 50, 1); got != 63 {
		t.Fatalf("a commit counted as view 1's primary left it: view 1 allows %d, want 63", got)
	}
	if got := c.allowed(2, 50, 0); got != 54 {
		t.Fatalf("view 0 allows %d after view 1's commits, want 54", got)
	}
}

// A primary that committed and executed its epoch's RECONFIGURATION in one
// step is in the next epoch when the check looks: the ops up to the
// RECONFIGURATION committed in the view it led in the old epoch, where its
// backups may learn them (the false alarms at reconfig seed 102002 and
// reconfig-durable seed 102033 of the long run, docs/testing.md).
func TestCommitViewsReconfigurationStep(t *testing.T) {
	c := commitViews{}
	old := &core.Info{Epoch: 2, Status: core.StatusNormal, View: 0, Primary: 1, Index: 1, AckCommit: 60, Commit: 60}
	c.recordStep(lastLed{}, old)
	next := &core.Info{Epoch: 3, EpochOp: 62, Status: core.StatusNormal, View: 0, Primary: 1, Index: 1, Commit: 62}
	c.recordStep(ledBy(old), next)
	if got := c.allowed(2, 54, 0); got != 62 {
		t.Fatalf("view 0 of epoch 2 allows %d after its primary executed the RECONFIGURATION at 62, want 62", got)
	}
}
