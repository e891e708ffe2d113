package core

import "github.com/vr-go/vr/message"

// transferState tracks one state transfer (GetState / NewState).
//
// Two cases, as in the paper: a backup that is missing ops in its own view
// (sameView) asks for the log after its op-number; a replica that learned of
// view T while not normal in T asks for the log after its commit-number.
//
// Unlike the paper, the second case does NOT truncate the log nor adopt T
// when the transfer starts. The replica keeps its log, its view and its
// last-normal-view until a NewState from a replica that is normal in T
// arrives, and then replaces the suffix after its commit-number and enters T
// in one step. Claiming last-normal-view T with a log shorter than T's
// start-of-view log is what loses committed ops (Vanlightly, 2022); see
// docs/protocol.md.
type transferState struct {
	active   bool
	sameView bool
	view     uint64
	from     uint64   // the op-number the last GetState asked from
	lastSent uint64   // when the last GetState left (plant RetransmitEveryRetry)
	retry    retryGap // when the next GetState is due
	attempt  int
	log      logFetch // entries fetched from a driver's retained log (logfetch.go)
	// need and seen, when sameView: the highest op the backup learned
	// exists, and its op-number when it last asked or checked.
	need, seen uint64
}

func (t *transferState) reset() { *t = transferState{} }

// learnView reacts to a Prepare or Commit of view v that this replica cannot
// accept as a normal backup of v.
func (r *Replica) learnView(v uint64) {
	if v < r.promisedView || r.primaryOf(v) == r.index {
		return
	}
	if v == r.view {
		// The primary of the view we are changing to is normal in it:
		// the view change did not fail, its StartView is on the way.
		r.viewChangeProgressed()
	}
	if r.cfg.bugs.TruncateOnNewView && v > r.view {
		// The paper read literally: truncate, take the view, then fetch.
		r.replaceLog(r.commit, nil)
		r.enterNormal(v)
		r.requestMissing(r.op() + 1)
		return
	}
	if r.st.active && !r.st.sameView && r.st.view == v {
		return // in progress; tickTransfer retries
	}
	r.st = transferState{active: true, view: v}
	r.restartRetry(&r.st.retry)
	if r.status == StatusViewChange && v == r.view && !r.cfg.bugs.TransferBeforeStartView {
		// The primary of the view we are changing to is normal in it, so
		// its StartView is on its way: on the bulk lane it may take far
		// longer than this Prepare or Commit, which a NewState, with the
		// same log, would only follow. Ask for state only if it has not
		// come after a view-change timeout (it may have been lost: our
		// DoViewChange retransmissions also make the primary resend it).
		r.st.retry.restart(r.now, uint64(r.cfg.ViewChangeTicks))
		r.st.lastSent = r.now
		return
	}
	r.sendGetState()
}

// requestMissing asks for the ops up to need that a normal backup lacks
// in its own view. It asks only if they do not come by themselves
// (arriving): a Commit on the control lane overtakes the Prepares it
// commits on the bulk lane, and the primary sends unacknowledged entries
// again itself.
func (r *Replica) requestMissing(need uint64) {
	if r.status != StatusNormal || r.isPrimary() {
		return
	}
	if r.st.active && r.st.sameView && r.st.view == r.view {
		r.st.need = max(r.st.need, need)
		return // in progress; tickTransfer retries
	}
	r.st = transferState{active: true, sameView: true, view: r.view, need: need, seen: r.op()}
	r.restartRetry(&r.st.retry)
	if !r.cfg.bugs.AskWhileArriving {
		r.st.lastSent = r.now
		return // tickTransfer asks if nothing arrives
	}
	r.sendGetState()
}

// arriving reports whether the ops a backup lacks in its own view are
// arriving by themselves: since it last asked or checked, its log grew,
// or it no longer lacks any. A NewState is another copy of the log: on
// a slow link, asking while the Prepares are under way queued copy after
// copy of them on the bulk lane (profile bandwidth at 20 MiB/s).
func (r *Replica) arriving() bool {
	if !r.st.sameView || r.cfg.bugs.AskWhileArriving {
		return false
	}
	if r.op() >= r.st.need {
		r.st.reset()
		return true
	}
	grew := r.op() > r.st.seen
	r.st.seen = r.op()
	return grew
}

// sendGetState sends GetState to the primary of the target view first, then
// to the other replicas in turn on retries.
func (r *Replica) sendGetState() {
	from := r.commit
	if r.st.sameView {
		from = r.op()
	}
	to := r.stateSource(r.st.view, &r.st.attempt)
	r.st.lastSent, r.st.from, r.st.seen = r.now, from, r.op()
	r.send(to, &message.GetState{View: r.st.view, Op: from, Replica: r.id})
}

// tickTransfer retries an outstanding transfer. The retries are spaced
// out like those of large messages (retrygap.go): each GetState is small,
// but its answer carries the log, and answers sent every RetryTicks queued
// behind each other on a slow link faster than it drained them.
func (r *Replica) tickTransfer() {
	if !r.st.active || !r.transferRetryDue() {
		return
	}
	if r.st.sameView && (r.status != StatusNormal || r.st.view != r.view) {
		r.st.reset()
		return
	}
	if r.tickLogFetch() || r.arriving() {
		return
	}
	r.st.attempt++
	r.sendGetState()
}

// onGetState answers with every entry after the requested op. The answer is
// never cut short: a replica that enters a view by state transfer must get a
// log at least as long as that view's start-of-view log.
func (r *Replica) onGetState(m *message.GetState) {
	from := r.members.IndexOf(m.Replica)
	if from < 0 || from == r.index || r.status != StatusNormal || m.View != r.view || m.Op > r.op() {
		return
	}
	if (r.witness && !r.cfg.bugs.WitnessServesState) || (r.standby && !r.standbyBugs()) {
		return // never a state source: the requester asks a full replica
	}
	// Ops at or below base left the log: the answer then starts after
	// base, and the requester fetches a checkpoint for the rest.
	n := uint64(len(r.log))
	ns := &message.NewState{
		View: r.view, Op: r.op(), Commit: r.commit, Replica: r.id, From: m.Op,
		Entries: r.log[max(m.Op, r.base)-r.base : n : n],
	}
	if !r.answerAgain(m.Replica, answerKey{kind: answerState, a: m.View, b: m.Op}, ns) {
		return // the same answer is on its way
	}
	r.send(from, ns)
}

// onNewState installs a state transfer's answer.
func (r *Replica) onNewState(m *message.NewState) {
	if !r.st.active || m.View != r.st.view || m.From != r.st.from || r.status == StatusRecovering ||
		uint64(len(m.Entries)) > m.Op {
		return
	}
	start := m.Op - uint64(len(m.Entries))
	if start > m.Commit {
		return // a log base is always committed
	}
	if r.st.sameView {
		if r.status != StatusNormal || m.View != r.view || m.Op <= r.op() {
			return
		}
		if start > r.op() {
			// The sender truncated what we miss. Our log is a prefix of
			// the view's log, so every op up to start is committed.
			if r.fetchLogTo(m, start) {
				return // the entries its driver retains, instead of a jump
			}
			r.jumpLog(start, m.Entries)
			r.mustBoundLog()
		} else {
			r.appendFrom(m.Entries)
		}
	} else {
		if m.View < r.promisedView || m.Op < r.commit {
			return
		}
		// A log we held as normal in m.View is, like the sender's, a prefix
		// of that view's log: keep the longer one. Shrinking it would forget
		// entries this replica acknowledged in that view.
		if r.lastNormalView != m.View || m.Op > r.op() {
			r.adoptLog(start, m.Entries)
		}
		r.enterNormal(m.View)
	}
	r.st.reset()
	r.counters.StateTransfers++
	r.heardFromPrimary()
	r.ack()
	r.learnCommit(min(m.Commit, r.op()))
}

// appendFrom appends the entries of a NewState of our own view that follow
// our log end.
func (r *Replica) appendFrom(entries []message.Entry) {
	for _, e := range entries {
		if e.Op == r.op()+1 {
			if !r.hasRoom(e.Size()) {
				return // asked again once there is room
			}
			r.appendEntry(e)
		}
	}
}

// transferRetryDue reports whether the outstanding transfer's next
// GetState is due.
func (r *Replica) transferRetryDue() bool {
	if r.cfg.bugs.RetransmitEveryRetry {
		return r.now-r.st.lastSent >= uint64(r.cfg.RetryTicks)
	}
	return r.st.retry.due(r.now, uint64(r.cfg.ViewChangeTicks))
}
