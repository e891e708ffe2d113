package sim

import "github.com/vr-go/vr/core"

// The commit-view check. A replica that takes part in its epoch (normal,
// or changing views) holds no commit of a view after its last normal view:
// every op at or below its commit-number was committed in that view or an
// earlier one of its epoch (or is the epoch's first state). A StartView of
// a later view therefore covers its commit-number, which is what the core's
// check in onStartView asserts; and a view change never hears of a commit
// from a replica whose log might not be chosen. The simulator knows where
// ops committed: a normal primary's Info.AckCommit is the highest op it
// counted f+1 acknowledgements for in its view (docs/protocol.md,
// "Reconfiguration"; the planted bug joiner-in-view-0 breaks it).

// commitViews records, per epoch, the highest op a normal primary counted
// committed in each view.
type commitViews map[uint64][]uint64

// record notes that op committed in view v of epoch e.
func (c commitViews) record(e, v, op uint64) {
	views := c[e]
	if uint64(len(views)) <= v {
		for uint64(len(views)) <= v {
			views = append(views, 0)
		}
		c[e] = views // stored only when it grew: views[v] is the map's own
	}
	views[v] = max(views[v], op)
}

// recordStep notes the commit a primary counted in its view. One step
// covers a batch of inputs: a primary may count acknowledgements and leave
// its view in the same step (a StartViewChange or a later view's
// StartView further in the batch), and then reports no AckCommit. A
// commit-number that rose in a step that began at the normal primary of a
// view is counted as committed in that view (a later view's StartView in
// the same batch may have raised it instead: the check is then looser,
// never wrong).
func (c commitViews) recordStep(prev lastLed, info *core.Info) {
	if info.Status == core.StatusNormal && info.Primary == info.Index && info.AckCommit > 0 {
		c.record(info.Epoch, info.View, info.AckCommit)
	}
	if prev.led && prev.epoch == info.Epoch && info.Commit > prev.commit {
		c.record(info.Epoch, prev.view, info.Commit)
	}
	if prev.led && info.Epoch > prev.epoch && info.EpochOp > prev.commit {
		// It executed its epoch's RECONFIGURATION in this step, so it
		// committed the ops up to it, in the view it led (or, with a
		// StartView further in the batch, a later one: looser, never
		// wrong); its backups may learn that commit in the old epoch.
		c.record(prev.epoch, prev.view, info.EpochOp)
	}
}

// lastLed is what a replica's previous step said about the view it led.
type lastLed struct {
	led                 bool // it was the normal primary of view in epoch
	epoch, view, commit uint64
}

func ledBy(info *core.Info) lastLed {
	return lastLed{info.Status == core.StatusNormal && info.Primary == info.Index, info.Epoch, info.View, info.Commit}
}

// allowed is the highest commit-number a replica of epoch e whose last
// normal view is v may hold: the epoch's first op, or an op committed in a
// view up to v.
func (c commitViews) allowed(e, firstOp, v uint64) uint64 {
	top := firstOp
	for w, op := range c[e] {
		if uint64(w) > v {
			break
		}
		top = max(top, op)
	}
	return top
}

// checkCommitView runs the commit-view check on the replica that stepped.
func (r *run) checkCommitView(rep *replica, info *core.Info) {
	if r.viol != nil || info.Members.Size() == 0 {
		return
	}
	if r.chk.commitViews == nil {
		r.chk.commitViews = commitViews{}
	}
	r.chk.commitViews.recordStep(rep.led, info)
	rep.led = ledBy(info)
	if info.Status != core.StatusNormal && info.Status != core.StatusViewChange {
		return
	}
	if top := r.chk.commitViews.allowed(info.Epoch, info.EpochOp, info.LastNormalView); info.Commit > top {
		r.violate(KindCommitView, "replica %d (%s view %d, last normal %d, epoch %d) holds commit %d; ops committed up to view %d end at %d",
			rep.idx, info.Status, info.View, info.LastNormalView, info.Epoch, info.Commit, info.LastNormalView, top)
	}
}
