package core

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// viewChangeState tracks one view-change attempt (for the current view).
type viewChangeState struct {
	svc       []bool                  // StartViewChange received, per replica, for view
	dvc       []*message.DoViewChange // DoViewChange received (new primary only)
	dvcComing []bool                  // promised in a StartViewChange, not yet here (new primary only)
	dvcSent   bool
	dvcRetry  retryGap // when the DoViewChange goes again
}

func (v *viewChangeState) init(n int) {
	v.svc = make([]bool, n)
	v.dvc = make([]*message.DoViewChange, n)
	v.dvcComing = make([]bool, n)
}

func (v *viewChangeState) reset() {
	clear(v.svc)
	clear(v.dvc)
	clear(v.dvcComing)
	v.dvcSent = false
}

func (v *viewChangeState) svcCount() int {
	n := 0
	for _, ok := range v.svc {
		if ok {
			n++
		}
	}
	return n
}

// startViewChange moves to view newView in view-change status and announces
// it. The log, last-normal-view and promises are kept.
func (r *Replica) startViewChange(newView uint64) {
	if newView <= r.view && r.status == StatusViewChange {
		panic(fmt.Sprintf("core: view change to %d from view %d", newView, r.view))
	}
	r.leaveView()
	r.view = newView
	r.announcedView = max(r.announcedView, newView)
	r.status = StatusViewChange
	r.counters.ViewChanges++
	r.vc.reset()
	r.vc.svc[r.index] = true
	r.st.reset()
	r.resetViewTimer()
	r.broadcastVoters(r.startViewChangeMessage())
}

// onStartViewChange handles another replica's StartViewChange.
func (r *Replica) onStartViewChange(m *message.StartViewChange) {
	from := r.members.IndexOf(m.Replica)
	if from < 0 || from == r.index || r.status == StatusRecovering || !r.votesIn(from) {
		return
	}
	switch {
	case m.View < r.view || (m.View == r.view && r.status == StatusNormal):
		// The sender is behind; the primary tells it about this view.
		if r.status == StatusNormal && r.isPrimary() {
			r.send(from, &message.Commit{View: r.view, Commit: r.commit})
		}
		return
	case m.View > r.view:
		// A sender that promised a view above ours can never come back to
		// our view: follow it even if our view looks healthy.
		if r.status == StatusNormal && r.sticky() && m.PromisedView <= r.view {
			return
		}
		r.startViewChange(m.View)
	}
	r.vc.svc[from] = true
	r.noteDoViewChangeComing(from, m)
	r.maybeSendDoViewChange()
}

// noteDoViewChangeComing lets the primary of the view being changed to
// wait for a DoViewChange it knows is on its way: the sender of a
// StartViewChange that promised this view sent one. On a slow link a
// DoViewChange with a large log takes most of a timeout; the attempt's
// clock restarts once per sender, so a DoViewChange that never arrives
// still lets the attempt time out.
func (r *Replica) noteDoViewChangeComing(from int, m *message.StartViewChange) {
	if r.status != StatusViewChange || m.View != r.view || m.PromisedView < r.view ||
		r.primaryOf(r.view) != r.index || r.vc.dvc[from] != nil || r.vc.dvcComing[from] {
		return
	}
	r.vc.dvcComing[from] = true
	r.viewChangeProgressed()
}

func (r *Replica) startViewChangeMessage() *message.StartViewChange {
	return &message.StartViewChange{View: r.view, Replica: r.id, PromisedView: r.promisedView}
}

// sticky reports whether a replica in normal status ignores a view change
// started by others because its view is healthy: a backup heard from its
// primary, or a primary heard from f backups, within the base timeout. A
// replica that was cut off therefore cannot drag a healthy cluster into a
// view change when it comes back; see docs/protocol.md.
func (r *Replica) sticky() bool {
	if r.cfg.bugs.NoStickiness {
		return false
	}
	if !r.isPrimary() {
		return r.heardFromPrimaryRecently()
	}
	heard := 0
	for b, t := range r.primary.heard {
		if b != r.index && r.members.Votes(b) && r.now-t < uint64(r.cfg.ViewChangeTicks) {
			heard++
		}
	}
	return heard >= r.f
}

// maybeSendDoViewChange sends DoViewChange once f other replicas agree.
func (r *Replica) maybeSendDoViewChange() {
	if r.status != StatusViewChange || r.vc.dvcSent || r.vc.svcCount() < r.f+1 || r.leaseBlocksDoViewChange() {
		return
	}
	r.vc.dvcSent = true
	r.promisedView = r.view
	r.restartRetry(&r.vc.dvcRetry)
	r.sendDoViewChange()
}

func (r *Replica) sendDoViewChange() {
	m := &message.DoViewChange{
		View: r.view, LastNormalView: r.lastNormalView, Op: r.op(),
		Commit: r.commit, Replica: r.id, Log: r.wholeLog(),
	}
	if p := r.primaryOf(r.view); p != r.index {
		r.send(p, m)
		return
	}
	r.onDoViewChange(m)
}

// onDoViewChange collects DoViewChange at the new primary.
func (r *Replica) onDoViewChange(m *message.DoViewChange) {
	from := r.members.IndexOf(m.Replica)
	if from < 0 || r.status == StatusRecovering || m.View < r.view || uint64(len(m.Log)) > m.Op || !r.votesIn(from) {
		return
	}
	if r.primaryOf(m.View) != r.index {
		return
	}
	if m.View > r.view {
		// A DoViewChange proves f+1 replicas moved to m.View: join.
		r.startViewChange(m.View)
	}
	if r.status == StatusNormal {
		// The sender missed StartView, or it is still on its way: resend
		// it, spaced out like the Prepares (each one carries the log).
		if r.retryAgain(&r.primary.retry[from]) {
			r.send(from, r.startViewMessage())
		}
		return
	}
	if prev := r.vc.dvc[from]; prev == nil || m.Op >= prev.Op {
		r.vc.dvc[from] = m
	}
	r.maybeStartView()
}

// maybeStartView installs the new view once f+1 DoViewChange messages,
// this replica's own among them, are in.
func (r *Replica) maybeStartView() {
	count := 0
	for _, d := range r.vc.dvc {
		if d != nil {
			count++
		}
	}
	if count < r.f+1 || r.vc.dvc[r.index] == nil {
		return
	}
	best, maxCommit := r.chooseLog()
	if maxCommit > best.Op {
		panic(fmt.Sprintf("core: view %d chose a log ending at %d below commit %d", r.view, best.Op, maxCommit))
	}
	r.adoptLog(best.Op-uint64(len(best.Log)), best.Log)
	r.fillFromDoViewChanges(best)
	r.enterNormal(r.view)
	if maxCommit > r.commit {
		r.commit = maxCommit
	}
	r.becomePrimary()
	sv := r.startViewMessage()
	r.broadcast(sv)
	if message.LaneOf(sv) == message.LaneBulk && !r.cfg.bugs.ViewTimerIgnoresProgress {
		// The StartView takes the bulk lane: a Commit on the control
		// lane tells the backups at once that the view formed, so their
		// view change waits for the StartView (learnView).
		r.broadcast(&message.Commit{View: r.view, Commit: r.commit, Sent: r.now, LogBase: r.base})
		r.timers.lastHeartbeat = r.now
	}
	r.execute()
}

// chooseLog picks the log with the largest last-normal-view, then the
// largest op-number, and the largest commit-number among the DoViewChanges.
func (r *Replica) chooseLog() (*message.DoViewChange, uint64) {
	var best *message.DoViewChange
	var maxCommit uint64
	for _, d := range r.vc.dvc {
		if d == nil {
			continue
		}
		maxCommit = max(maxCommit, d.Commit)
		if best == nil || r.betterLog(d, best) {
			best = d
		}
	}
	return best, maxCommit
}

func (r *Replica) betterLog(a, b *message.DoViewChange) bool {
	if r.cfg.bugs.DVCByOpOnly {
		return a.Op > b.Op
	}
	if a.LastNormalView != b.LastNormalView {
		return a.LastNormalView > b.LastNormalView
	}
	return a.Op > b.Op
}

func (r *Replica) startViewMessage() *message.StartView {
	return &message.StartView{View: r.view, Op: r.op(), Commit: r.commit, Log: r.wholeLog()}
}

// enterNormal makes v the current, normal view.
func (r *Replica) enterNormal(v uint64) {
	r.timers.proven = false
	if r.cfg.bugs.ResetBackoffOnNewView {
		r.viewProven()
	}
	r.view = v
	r.announcedView = max(r.announcedView, v)
	r.status = StatusNormal
	r.lastNormalView = v
	r.promisedView = v
	r.lease.echo = 0  // echoes belong to one view's primary and its clock
	r.primaryBase = 0 // the new primary's comes with its first Prepare or Commit
	r.vc.reset()
	r.st.reset()
	r.resetViewTimer()
	r.timers.enteredAtOp = r.op()
}

// onStartView adopts the new view's log at a backup.
func (r *Replica) onStartView(m *message.StartView) {
	if r.status == StatusRecovering || m.View < r.view || r.primaryOf(m.View) == r.index ||
		uint64(len(m.Log)) > m.Op {
		return
	}
	if m.View == r.view && r.status == StatusNormal {
		r.heardFromPrimary()
		r.ack()
		return
	}
	if m.Commit > m.Op || r.commit > m.Op {
		panic(fmt.Sprintf("core: StartView %d op %d below commit (%d, ours %d)", m.View, m.Op, m.Commit, r.commit))
	}
	r.adoptLog(m.Op-uint64(len(m.Log)), m.Log)
	r.enterNormal(m.View)
	r.ack()
	r.learnCommit(m.Commit)
}

// tickViewChange retransmits and, when the attempt stalls with a quorum
// behind it, moves on to the next view. A replica alone (cut off) keeps its
// view instead of raising it on every timeout.
func (r *Replica) tickViewChange() {
	if r.now-r.timers.viewStarted >= r.timers.viewTimeout {
		if r.vc.svcCount() >= r.f+1 {
			if r.cfg.bugs.ViewTimerIgnoresProgress {
				r.timers.backoff++ // the old count: own timeouts only
			}
			r.startViewChange(r.view + 1)
			return
		}
		r.timers.viewStarted = r.now
	}
	r.maybeSendDoViewChange() // a read-lease promise may have run out
	if !r.retryDue() {
		return
	}
	r.broadcastVoters(r.startViewChangeMessage())
	if r.vc.dvcSent && r.primaryOf(r.view) != r.index && r.retryAgain(&r.vc.dvcRetry) {
		r.sendDoViewChange()
	}
	r.tickTransfer()
}
