package core

import (
	"encoding/binary"
	"fmt"

	"github.com/vr-go/vr/message"
)

// Reconfiguration (VR Revisited §7). The administrator's RECONFIGURATION
// request (KindReconfigure, admitted by checkReconfig) goes through the log
// like any op and is the last op of its epoch: once it is in the log the
// primary appends nothing after it (transitioning). Executing it, at op R,
// takes a checkpoint at R and moves the replica into epoch e+1 (enterEpoch):
// view 0, its log empty above R, the new configuration. Replicas that are
// not members of it retire (StatusRetired): they serve their checkpoint at
// R until f'+1 new members said EpochStarted, and then report Output.Retire.
//
// Every replica of the new epoch sends StartEpoch to the members it has not
// heard EpochStarted from, every RetryTicks. A replica that receives one
// for a later epoch does not take the epoch from it: a full member fetches
// the checkpoint at R (joining, StatusTransitioning) and enters the epoch
// when it installed it, exactly as if it had executed R; a non-member that
// never executed R stops (StatusRetired, without Retire: it holds nothing
// anyone needs). A witness, which holds no state, enters at once.
//
// Messages carry their sender's epoch; a replica takes part only in its own
// (admitEpoch). It answers a message of an older epoch with StartEpoch and
// ignores one of a later epoch: its sender's peers will send it StartEpoch.
// See docs/protocol.md, "Reconfiguration". This file holds the admission
// and the move; epoch.go the messages between epochs (StartEpoch,
// EpochStarted) and retiring; join.go the state transfer into an epoch.

// transitioning reports whether the log holds a RECONFIGURATION not yet
// executed: no client op may follow it, and the primary serves no lease
// read (a new epoch may start as soon as it commits).
func (r *Replica) transitioning() bool {
	n := len(r.log)
	return n > 0 && r.log[n-1].Kind == message.KindReconfigure && r.log[n-1].Op > r.executedOrBase()
}

func (r *Replica) executedOrBase() uint64 { return max(r.executed, r.base) }

// checkReconfig returns why the primary refuses a RECONFIGURATION whose
// payload is p (0: it is admitted), with the reply's detail.
func (r *Replica) checkReconfig(p []byte) (message.RefusalReason, []byte) {
	c, err := message.DecodeReconfiguration(p)
	switch {
	case err != nil:
		return message.RefuseInvalid, nil
	case c.Epoch != r.members.Epoch:
		return message.RefuseStaleEpoch, binary.LittleEndian.AppendUint64(nil, r.members.Epoch)
	}
	next := r.nextConfig(c)
	if next.Voters() < 3 {
		return message.RefuseTooSmall, nil
	}
	if len(next.Witnesses()) > next.faults() {
		return message.RefuseTooManyWitnesses, nil // validate's rule, named: a quorum needs a full replica
	}
	if next.validate() != nil {
		return message.RefuseInvalid, nil
	}
	if sameMembers(next, r.members) {
		return message.RefuseUnchanged, nil
	}
	for _, m := range next.Members {
		i := r.members.IndexOf(m.ID)
		switch {
		case i < 0 && int(m.ID) < r.members.NextID:
			return message.RefuseReusedID, nil
		case i >= 0 && !roleChangeAdmitted(r.members.Role(i), m.Role):
			return message.RefuseInvalid, nil // roles do not change in place, but by a promotion or a demotion
		}
	}
	if r.promotesLagging(next) {
		return message.RefuseStandbyLagging, nil
	}
	if r.stateHolders(next) < next.faults()+1 && !r.cfg.bugs.AdmitNewMajority {
		return message.RefuseNewMajority, nil
	}
	return 0, nil
}

// roleChangeAdmitted reports whether a kept member may go from role from
// to role to: unchanged, a standby promoted to a full replica (it holds the
// state), or a full replica demoted to a standby (it keeps its state and
// stops voting). A witness holds no state, so it never becomes, nor comes
// from, a role that holds one.
func roleChangeAdmitted(from, to Role) bool {
	return from == to || (from == RoleStandby && to == RoleVoter) || (from == RoleVoter && to == RoleStandby)
}

// stateHolders counts the voting members of next that take part in its
// epoch from its first op, without a state transfer or a recovery: the
// voting members of the current configuration that stay (a full replica
// or a witness keeps its role) and the standbys promoted (they executed
// every op), if they keep up: the primary itself, and the others as far
// as this view's acknowledgements tell (lagsBehind). A member that is
// down, recovering or a checkpoint behind would not answer for the new
// epoch either. A new member is a
// joiner: it fetches the state, and a joiner without a durable state
// recovers once it joined, since it cannot tell that it never took part
// in the epoch (core.Config.Recovering), so until then it counts against
// f' like any recovering replica; so does a new witness, although it
// fetches nothing (plant NewWitnessHolds). With fewer than f'+1 holders the new
// epoch would start beyond its fault threshold: a recovery needs f'+1
// normal members to answer, and a view change f'+1 taking part
// (docs/protocol.md, "A majority of new members").
func (r *Replica) stateHolders(next Membership) int {
	n := 0
	for i, m := range next.Members {
		cur := r.members.IndexOf(m.ID)
		if next.Votes(i) && cur >= 0 && (cur == r.index || !r.lagsBehind(cur)) {
			n++
		}
		if cur < 0 && next.IsWitness(i) && r.cfg.bugs.NewWitnessHolds {
			n++ // planted: a new witness fetches nothing, but it recovers once it joined
		}
		if cur >= 0 && next.IsStandby(i) && r.members.Role(cur) == RoleVoter && r.cfg.bugs.DemotedHolds {
			n++ // planted: a demoted member holds the state, but votes nowhere
		}
	}
	return n
}

// nextConfig is the configuration a RECONFIGURATION c leads to.
func (r *Replica) nextConfig(c message.Reconfiguration) Membership {
	next := FromWire(r.members.Epoch+1, c.Members, r.members.NextID)
	for _, m := range c.Members {
		next.NextID = max(next.NextID, int(m.ID)+1)
	}
	return next
}

// refuse answers a RECONFIGURATION that was not admitted.
func (r *Replica) refuse(m *message.Request, why message.RefusalReason, detail []byte) {
	r.reply(m.ClientID, m.RequestNum, message.StatusRefused, append([]byte{byte(why)}, detail...))
}

// admitRequest applies the reconfiguration rules to a fresh client request
// at the primary, before it is appended; it reports whether to go on.
func (r *Replica) admitRequest(m *message.Request) bool {
	if r.transitioning() && !r.cfg.bugs.OpAfterReconfig {
		// No client op after a RECONFIGURATION in its epoch, and no answer
		// to another RECONFIGURATION either: the one in the log may never
		// commit (a view change may elect a primary without it), and a
		// later primary may then admit a copy of this one, which an
		// answer "in progress" would have told its client was not
		// applied. The client retries; once the epoch moved, the copy is
		// refused for good (RefuseStaleEpoch).
		if m.Kind == message.KindReconfigure && r.cfg.bugs.RefuseInProgress {
			r.refuse(m, message.RefuseInProgress, nil)
		}
		return false
	}
	if m.Kind != message.KindReconfigure {
		return true
	}
	if why, detail := r.checkReconfig(m.Payload); why != 0 {
		if why.Transient() && !r.cfg.bugs.RefusalOffTheLog {
			// Another primary of this epoch, knowing its backups
			// better, might admit a copy of the request still in the
			// network: the refusal goes through the log in the
			// request's place and becomes its one outcome
			// (executeEntry records it in the client table).
			r.appendRequest(m, message.KindRefusal, []byte{byte(why)})
			return false
		}
		r.refuse(m, why, detail)
		return false
	}
	return true
}

// executeReconfig executes the RECONFIGURATION e: the move happens after
// the checkpoint at e.Op (execute calls finishMove).
func (r *Replica) executeReconfig(e message.Entry) {
	c, err := message.DecodeReconfiguration(e.Payload)
	if err == nil && c.Epoch < r.members.Epoch {
		return // executed again after a restart: the replica is past it
	}
	if err != nil || c.Epoch != r.members.Epoch {
		panic(fmt.Sprintf("core: replica %d executing a RECONFIGURATION from epoch %d in epoch %d (%v)",
			r.id, c.Epoch, r.members.Epoch, err))
	}
	next := r.nextConfig(c)
	r.ep.moveTo = &next
	r.moveView = e.View + 1
}

// finishMove enters the epoch a RECONFIGURATION just executed leads to.
func (r *Replica) finishMove() {
	next := r.ep.moveTo
	if next == nil {
		return
	}
	r.ep.moveTo = nil
	if r.op() != r.executed && !r.cfg.bugs.OpAfterReconfig {
		panic(fmt.Sprintf("core: replica %d holds ops up to %d after the RECONFIGURATION at %d", r.id, r.op(), r.executed))
	}
	// The log up to the RECONFIGURATION stays until a saved checkpoint
	// covers it, as always (saved.go): dropping it before the checkpoint
	// at it is durable could leave no replica with that state after a
	// crash of every replica.
	r.keepLog = true
	r.enterEpoch(*next, r.executed, r.members)
}

// enterEpoch makes c, which began after the RECONFIGURATION at op, this
// replica's configuration: view 0, the log empty above op (a checkpoint at
// op covers everything below), and normal status if it is a member.
func (r *Replica) enterEpoch(c Membership, op uint64, prev Membership) {
	r.enterEpochAt(c, op, op, prev)
}

// enterEpochAt enters the epoch c that began after op with the state at
// at (op, or the newer checkpoint of the epoch a joiner installed): its
// log starts above at, which is committed. With the state at op it is
// normal in view 0, the view the epoch began in. A checkpoint above op may
// hold ops committed in a later view of the epoch, and a replica holds no
// commit of a view after its last normal view (the premise of onStartView's
// check, see docs/protocol.md "Reconfiguration"): such a joiner learns the
// epoch's view through the recovery protocol before it takes part
// (learnEpochView).
func (r *Replica) enterEpochAt(c Membership, op, at uint64, prev Membership) {
	if c.Epoch <= r.members.Epoch && r.status != StatusTransitioning {
		panic(fmt.Sprintf("core: replica %d moving from epoch %d to %d", r.id, r.members.Epoch, c.Epoch))
	}
	r.plantStaleLease()
	r.setMembers(c)
	ck := r.out.Checkpoint
	if ck == nil || ck.Op != op || at != op {
		ck = nil // a witness, or the planted EpochFromMessage
	}
	oldView := r.view
	r.ep = epochState{op: op, prev: prev, started: map[uint8]bool{}, lastSent: r.now, ckpt: ck, opView: r.moveView}
	r.moveView = 0
	r.join = joinState{}
	r.ackPending = false
	if !r.keepLog {
		r.base, r.log, r.logBytes = at, nil, 0
		r.logDirtyFrom, r.logReset = at+1, true
	}
	r.keepLog = false
	r.commit = max(at, r.commit)
	r.view, r.lastNormalView, r.promisedView, r.announcedView = 0, 0, 0, 0
	if r.cfg.bugs.EpochKeepsView {
		r.view, r.lastNormalView, r.promisedView, r.announcedView = oldView, oldView, oldView, oldView
	}
	r.ep.entryView = r.view
	r.vc.reset()
	r.st.reset()
	r.fetch.reset()
	r.marks = nil
	clear(r.inflight)
	if !r.cfg.bugs.EpochKeepsBackoff {
		// Views of the new epoch start afresh: the doubling counts failed
		// views in a row of this epoch (a RECONFIGURATION that committed is
		// progress). Kept, a primary of view 0 that lost its state was
		// suspected only after 16 times the timeout (reconfig seed 168).
		r.timers.backoff = 0
	}
	r.resetViewTimer()
	if r.index < 0 {
		r.status = StatusRetired
		r.sendStartEpochs()
		if r.cfg.bugs.RetireEarly {
			r.ep.retired, r.out.Retire = true, true
		}
		return
	}
	r.status = StatusNormal
	learn := at > op && !r.cfg.bugs.JoinerInViewZero
	switch {
	case learn:
		// It leads nothing: it recovers below.
	case r.isPrimary() && r.cfg.Restart != nil && r.cfg.DurableAcks && !r.recoverAfterJoin:
		// Restarted from its disk, it may have been this view's primary
		// before the crash and sent Prepares whose own write never became
		// durable (the disk still said the old epoch): backups may hold
		// more of view 0 than it does. As at a restart (restart.go), it
		// hands the view on.
		r.ep.started[r.id] = true
		r.sendEpochStarted()
		r.sendStartEpochs()
		r.startViewChange(1)
		return
	case r.isPrimary():
		r.becomePrimary()
	}
	if !learn {
		r.ep.started[r.id] = true
		r.sendEpochStarted()
	}
	r.sendStartEpochs()
	switch {
	case r.recoverAfterJoin:
		// It lost its state after it may have taken part in this epoch:
		// the recovery protocol of the epoch brings back its promises.
		r.recoverAfterJoin = false
		r.startRecovery(false)
	case learn:
		r.learnEpochView()
	}
}

// learnEpochView runs the recovery protocol for a joiner that holds a
// checkpoint of its epoch above the epoch's first op but no view of the
// epoch. It adopts the view and log of the primary of the latest normal
// view among f'+1 answers once that primary's commit-number reaches its
// own (recoverFromPrimary): that primary's log then holds the joiner's
// state as a committed prefix, and the joiner's commit is one of that
// view. It never took part in the epoch, so it promised nothing and is
// moved past no announced view. Until it learned, it holds no state of
// the epoch it could restart from: the storage writes nothing for a
// recovering replica (LostState), the checkpoint it installed waits in
// rec.ckpt, and it says EpochStarted only after (learnedEpochView).
func (r *Replica) learnEpochView() {
	ck := r.out.Checkpoint
	r.out.Checkpoint = nil
	r.startRecovery(false)
	r.rec.learnOnly, r.rec.ckpt = true, ck
}

// learnedEpochView completes learnEpochView once the replica recovered:
// its whole log is written again (the disk still holds its previous
// state), with the checkpoint it installed if the log still starts there,
// and it holds the epoch's state.
func (r *Replica) learnedEpochView(ck *Checkpoint) {
	r.logDirtyFrom, r.logReset = r.base+1, true
	if ck != nil && ck.Op == r.base && r.out.Checkpoint == nil {
		r.out.Checkpoint = ck
	}
	r.ep.started[r.id] = true
	r.sendEpochStarted()
}

// epochRulesBroken reports whether the replica breaks a reconfiguration
// rule: its index is not its id's in its configuration, or its
// commit-number is below its epoch's first op. Small enough to inline into
// assertInvariants; reportEpochRules says which.
func (r *Replica) epochRulesBroken() bool {
	return (r.members.Size() > 0 && r.index != r.members.IndexOf(r.id)) ||
		(r.members.Epoch > 0 && r.commit < r.ep.op && r.status != StatusTransitioning)
}

// reportEpochRules panics with the reconfiguration rule the replica breaks.
func (r *Replica) reportEpochRules() {
	if r.members.Size() > 0 && r.index != r.members.IndexOf(r.id) {
		r.invariantFailed("index %d but id %d is at %d", r.index, r.id, r.members.IndexOf(r.id))
	}
	r.invariantFailed("commit %d below the first op %d of epoch %d", r.commit, r.ep.op, r.members.Epoch)
}

// keepEpochCheckpoint keeps the checkpoint taken at the current epoch's
// first op (after a restart, executing it again), to offer it again until
// it is saved: members that join fetch it.
func (r *Replica) keepEpochCheckpoint() {
	if ck := r.out.Checkpoint; ck != nil && r.ep.op != 0 && ck.Op == r.ep.op && r.executed == r.ep.op {
		r.ep.ckpt = ck
	}
}

// plantStaleLease, with the planted bug LeaseAcrossEpochs, keeps the read
// lease a primary holds as it moves to a new epoch: it answers reads from
// its state until the old lease runs out, whatever its role in the new
// epoch, while the new epoch's primary commits writes.
func (r *Replica) plantStaleLease() {
	r.lease.staleUntil = 0
	if !r.cfg.bugs.LeaseAcrossEpochs || r.status != StatusNormal || !r.isPrimary() || r.f == 0 {
		return
	}
	if s := kthLargest(r.lease.acks, r.f); s > 0 {
		r.lease.staleUntil = s + r.primaryLeaseTicks()
	}
}
