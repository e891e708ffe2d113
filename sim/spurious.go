package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// A replica whose loop stalled (a slow step: Faults.SlowSteps, an
// episode's forced stall) finds, when it resumes, its clock far ahead and
// its inbox full. If its primary's Prepares and Commits of its view are
// among what waits there, the primary was fine: only this replica was
// slow, and a view change it starts before reading them is spurious
// (issue 10: the driver fired the timers before reading its inbox, and
// 10-minute runs changed views dozens of times with no fault). The driver
// steps queued inputs first and fires the timers in Flush; this check
// fails when a replica that was normal leaves for a view change while
// stepping an input that is no view-change message, and a Prepare or
// Commit of its view from its primary was that input or still waited in
// its inbox; or, at a primary (which steps down when it has not heard
// from f backups for a timeout), PrepareOKs of its view from f backups.

// stepChecked steps m at rep, in a drain that resumed after a slow step,
// and checks that a view change it starts there is not spurious.
func (r *run) stepChecked(rep *replica, m message.Message) {
	if isViewChangeMsg(m) || r.viol != nil {
		rep.drv.Next(r.elapsed(rep), m)
		return
	}
	before := rep.core.Info()
	inc := rep.inc
	rep.drv.Next(r.elapsed(rep), m)
	if before.Status != core.StatusNormal || !rep.up || rep.inc != inc {
		return
	}
	after := rep.core.Info()
	if after.Status != core.StatusViewChange || after.Epoch != before.Epoch || after.View <= before.View {
		return // no view change of its own: a reconfiguration moves it to a new epoch
	}
	if before.Primary == before.Index {
		r.checkSpuriousStepDown(rep, before, after, m)
		return
	}
	queued := fromPrimary(m, before)
	for _, e := range rep.inbox {
		queued = queued || fromPrimary(e.msg, before)
	}
	if queued {
		r.violate(KindSpuriousViewChange,
			"replica %d left normal view %d for a view change (now view %d) while a Prepare or Commit of view %d from its primary %d waited unread (after a slow step)",
			rep.idx, before.View, after.View, before.View, before.Primary)
	}
}

// checkSpuriousStepDown is the primary's side: a primary steps down when
// it has not heard from f backups for a timeout, so one that left its view
// while PrepareOKs of that view from f backups waited unread was only slow
// itself.
func (r *run) checkSpuriousStepDown(rep *replica, before, after core.Info, m message.Message) {
	heard := map[uint8]bool{}
	note := func(m message.Message) {
		if ok, isOK := m.(*message.PrepareOK); isOK && ok.View == before.View && ok.Epoch == before.Epoch {
			heard[ok.Replica] = true
		}
	}
	note(m)
	for _, e := range rep.inbox {
		note(e.msg)
	}
	if len(heard) >= r.f {
		r.violate(KindSpuriousViewChange,
			"primary %d left normal view %d for a view change (now view %d) while PrepareOKs of view %d from %d backups waited unread (after a slow step)",
			rep.idx, before.View, after.View, before.View, len(heard))
	}
}

// fromPrimary reports whether m is a Prepare or Commit of the view and
// epoch of a replica in state info: only that view's primary sends them.
func fromPrimary(m message.Message, info core.Info) bool {
	switch m := m.(type) {
	case *message.Prepare:
		return m.View == info.View && m.Epoch == info.Epoch
	case *message.Commit:
		return m.View == info.View && m.Epoch == info.Epoch
	}
	return false
}
