package core

import "github.com/vr-go/vr/message"

// recoveryState tracks the recovery protocol of a replica that lost its
// state.
type recoveryState struct {
	nonce     uint64
	bootstrap bool                        // NewCluster: still hoping every replica is new
	responses []*message.RecoveryResponse // per replica, with our nonce
	// learnOnly: a joiner that installed a checkpoint above its epoch's
	// first op learns the epoch's view; it lost nothing and promised
	// nothing (reconfig.go, learnEpochView).
	learnOnly bool
	ckpt      *Checkpoint // learnOnly: the checkpoint it installed, not offered yet
}

// startRecovery enters the recovering status with a fresh nonce. The
// replica takes no part in the protocol until it has recovered.
func (r *Replica) startRecovery(bootstrap bool) {
	r.status = StatusRecovering
	r.counters.Recoveries++
	r.rec = recoveryState{nonce: r.rand.next(), bootstrap: bootstrap, responses: make([]*message.RecoveryResponse, r.n)}
	r.resetViewTimer()
	if bootstrap && r.n == 1 {
		r.bootstrapDone() // nobody else to ask
		return
	}
	r.broadcastRecovery()
}

func (r *Replica) broadcastRecovery() {
	r.broadcastVoters(&message.Recovery{Replica: r.id, Nonce: r.rec.nonce, NewCluster: r.rec.bootstrap})
}

func (r *Replica) tickRecovery() {
	if r.retryDue() {
		r.broadcastRecovery()
	}
}

// onRecovery answers a recovering replica. A new member still in its first
// handshake vouches that it holds nothing; a replica that is recovering
// itself says that it lost its state. Every other replica reports its view,
// announced view, op- and commit-number and whether it is normal; only a
// normal primary includes its log (after its base).
func (r *Replica) onRecovery(m *message.Recovery) {
	from := r.members.IndexOf(m.Replica)
	if from < 0 || from == r.index || r.standby {
		return // a standby's answer would count in no quorum
	}
	if r.status == StatusRecovering {
		r.send(from, &message.RecoveryResponse{
			Nonce: m.Nonce, Replica: r.id, NewMember: r.rec.bootstrap, LostState: !r.rec.bootstrap,
		})
		return
	}
	defer r.skipRecoveringPrimary(from)
	normal := r.status == StatusNormal ||
		(r.cfg.bugs.RecoveryInViewChange && r.status == StatusViewChange)
	resp := &message.RecoveryResponse{
		View: r.view, Nonce: m.Nonce, Op: r.op(), Commit: r.commit, Replica: r.id,
		AnnouncedView: r.announcedView, Normal: normal,
	}
	if normal && r.isPrimary() {
		resp.Log = r.wholeLog()
	}
	if !r.answerAgain(m.Replica, answerKey{kind: answerRecovery, a: m.Nonce}, resp) {
		return // the same answer is on its way
	}
	r.send(from, resp)
}

// onRecoveryResponse collects answers carrying our nonce. The replica
// recovers by the paper's rule (recoverFromPrimary) or, when every other
// replica holds nothing, as a member of a cluster that never executed
// anything (recoverEmpty).
func (r *Replica) onRecoveryResponse(m *message.RecoveryResponse) {
	from := r.members.IndexOf(m.Replica)
	if r.status != StatusRecovering || m.Nonce != r.rec.nonce || from < 0 || from == r.index ||
		uint64(len(m.Log)) > m.Op || !r.members.Votes(from) {
		return
	}
	if prev := r.rec.responses[from]; prev == nil || m.AnnouncedView >= prev.AnnouncedView {
		r.rec.responses[from] = m
	}
	if r.rec.bootstrap && !holdsNothing(m) {
		// A replica holds state: this is no new cluster, and this replica
		// may have been part of it. Recover properly, with a fresh nonce.
		r.startRecovery(false)
		return
	}
	// A joiner that learns its epoch's view holds the state of an op
	// committed in the epoch: f'+1 members held it, so the others cannot
	// all hold nothing.
	if !r.recoverFromPrimary() && !r.rec.learnOnly {
		r.recoverEmpty()
	}
}

// holdsNothing reports whether an answer comes from a replica whose log
// never held an executed op.
func holdsNothing(m *message.RecoveryResponse) bool { return m.Op == 0 && m.Commit == 0 }

// recoverFromPrimary is the paper's rule: with f+1 answers from normal
// replicas, one of them from the primary of the highest view among them,
// adopt that primary's log and view. If some replica announced a later
// view, this replica may have sent a DoViewChange for it before it lost its
// state: it must not stay normal below it (promiseAfterRecovery).
func (r *Replica) recoverFromPrimary() bool {
	count, top, announced := 0, uint64(0), uint64(0)
	for _, resp := range r.rec.responses {
		if resp == nil {
			continue
		}
		announced = max(announced, resp.AnnouncedView, resp.View)
		if resp.Normal {
			count++
			top = max(top, resp.View)
		}
	}
	primary := r.rec.responses[r.primaryOf(top)]
	if count < r.f+1 || primary == nil || !primary.Normal || primary.View != top {
		return false
	}
	if r.rec.learnOnly && primary.Commit < r.commit {
		// A joiner learning its epoch's view holds ops committed in some
		// view of the epoch: a primary that has not committed them may
		// lead a view older than that one (its log may differ above its
		// commit). It asks again until the primary's commit reaches its.
		return false
	}
	learned, ck := r.rec.learnOnly, r.rec.ckpt
	promised := !r.standby && !learned
	r.adoptLog(primary.Op-uint64(len(primary.Log)), primary.Log)
	r.enterNormal(top)
	r.rec = recoveryState{}
	r.learnCommit(primary.Commit)
	if learned {
		r.learnedEpochView(ck)
	}
	// A standby never sent DoViewChange, nor did a joiner that only
	// learns the view: they have nothing to promise.
	if announced > top && !r.cfg.bugs.RecoveryIgnoresAnnounced && promised {
		r.promiseAfterRecovery(announced)
		return true
	}
	r.ack()
	return true
}

// recoverEmpty starts a replica when every other replica answered, none
// holds an executed op and at most f replicas (this one included, unless it
// is a new member) lost their state: had anything been executed, f+1
// replicas would hold it and one of them would have said so. Nothing can be
// lost, but views may have been announced and promised (by this replica
// too, before it lost its state). More than f replicas without state is a
// loss the replica cannot see past: it waits (an operator starts a new
// cluster).
//   - every other replica is a new member: the new cluster starts in view 0;
//   - the normal replicas agree on view v, nobody announced a later one and
//     this replica is not v's primary: it joins v as a backup (v's log is
//     empty, since a normal replica holds at least its view's first log);
//   - otherwise it moves to a view change after every announced view.
//
// Only voting members' answers count. A standby does not count itself
// among those that lost their state, joins the normal replicas' view even
// if a later one was announced (it promised nothing), and otherwise waits.
func (r *Replica) recoverEmpty() {
	var announced, normalView uint64
	allNew, agree, anyNormal := true, true, false
	lost := 0
	if !r.rec.bootstrap && !r.standby {
		lost++
	}
	for i, resp := range r.rec.responses {
		if i == r.index || !r.members.Votes(i) {
			continue
		}
		if resp == nil || !holdsNothing(resp) {
			return
		}
		if resp.LostState {
			lost++
		}
		announced = max(announced, resp.AnnouncedView, resp.View)
		allNew = allNew && resp.NewMember
		if resp.Normal {
			agree = agree && (!anyNormal || resp.View == normalView)
			anyNormal, normalView = true, resp.View
		}
	}
	if lost > r.f || (r.standby && !allNew && !(anyNormal && agree)) {
		return // a standby promises nothing: it waits for a normal view
	}
	r.rec = recoveryState{}
	switch {
	case allNew:
		r.bootstrapDone()
	case anyNormal && agree && (announced == normalView || r.standby) && r.primaryOf(normalView) != r.index:
		r.enterNormal(normalView)
		r.ack()
	default:
		r.promiseAfterRecovery(announced)
	}
}

// promiseAfterRecovery makes a recovered replica act as if it had sent
// DoViewChange for view w: it moves to a view change for w and promises
// never to be normal below it. Its StartViewChange carries that promise, so
// replicas normal in a lower view follow it. A replica that would be w's
// primary moves to w+1 instead: its lost incarnation may have led view w,
// and a view must never start twice.
func (r *Replica) promiseAfterRecovery(w uint64) {
	if r.primaryOf(w) == r.index {
		w++
	}
	r.promisedView = w
	r.startViewChange(w)
}

// bootstrapDone starts the new cluster's view 0.
func (r *Replica) bootstrapDone() {
	r.rec = recoveryState{}
	r.enterNormal(0)
	if r.isPrimary() {
		r.becomePrimary()
	}
}

// skipRecoveringPrimary moves a view change on at once when the replica
// that would lead it is recovering (it just asked for its state): it can
// lead nothing until some view completes, so waiting for the timeout
// (doubled after every failed attempt) only delays the cluster, twice over
// when the next primary in line is recovering too. As with a timeout, only
// a view change that f+1 replicas announced moves on (bounded inflation).
func (r *Replica) skipRecoveringPrimary(from int) {
	if r.status == StatusViewChange && r.primaryOf(r.view) == from && r.vc.svcCount() >= r.f+1 &&
		!r.cfg.bugs.WaitForRecoveringPrimary {
		r.startViewChange(r.view + 1)
	}
}
