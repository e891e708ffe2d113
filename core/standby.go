package core

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// Standbys (RoleStandby) are the pre-warm of VR Revisited §7.5: full
// replicas that vote nowhere. A standby receives the primary's Prepares and
// Commits like a backup (broadcast goes to every member), appends, executes,
// checkpoints, fetches checkpoints and acknowledges, and the primary
// retransmits to it; but
//   - its PrepareOK counts towards no commit (advanceCommit), no proof of
//     the view (joinedCount), no quorum contact or stickiness, and its
//     lease echo towards no read lease;
//   - it never becomes primary: primaryOf ranges over the full replicas;
//   - it takes no part in view changes: it never suspects the primary,
//     sends no StartViewChange or DoViewChange, and ignores those of
//     others (votesIn); it learns a new view from its StartView, or from a
//     Prepare or Commit of it (state transfer);
//   - it answers no Recovery, and a recovering replica counts no answer of
//     a standby; a standby that lost its state recovers from f+1 voting
//     members and promises nothing (it never sent a DoViewChange);
//   - it is never asked for state transfer (GetState) nor for a
//     checkpoint within its epoch (stateSource), and answers no GetState:
//     its log, which no quorum vouches for, is never a source. A joiner
//     asks it, after every full replica, for the new epoch's first
//     checkpoint (joinSources): the driver serves only checkpoints it
//     saved, of the committed state, so a standby that answers holds
//     exactly the state asked for.
//
// f is computed over the voting members only (Membership.faults), and
// Retire waits for f'+1 voting members of the new epoch (onEpochStarted).
// A RECONFIGURATION may promote a standby to a full replica (checkReconfig
// refuses one that lags by more than a checkpoint): having executed the
// ops up to the RECONFIGURATION, it enters the new epoch as the old
// members do, with no state to fetch. See docs/protocol.md, "Standbys".

// votesIn reports whether a view-change or recovery message between this
// replica and member from counts: neither is a standby.
func (r *Replica) votesIn(from int) bool { return !r.standby && r.members.Votes(from) }

// broadcastVoters sends m to every other voting member.
func (r *Replica) broadcastVoters(m message.Message) {
	for i := 0; i < r.n; i++ {
		if i != r.index && r.members.Votes(i) {
			r.send(i, m)
		}
	}
}

// plantedLeaders is the primary function's ring with the planted
// StandbyMayLead: the full replicas and the standbys, in index order.
func plantedLeaders(m Membership) []int {
	var is []int
	for i, mem := range m.Members {
		if mem.Role != RoleWitness {
			is = append(is, i)
		}
	}
	return is
}

// standbyBugs reports whether a planted bug lets a standby lead or count.
func (r *Replica) standbyBugs() bool {
	return r.cfg.bugs.StandbyMayLead || r.cfg.bugs.StandbyInQuorum
}

// assertStandbySends panics if a standby is about to send what only a
// voting member or a primary sends.
func (r *Replica) assertStandbySends(m message.Message) {
	if !r.standby || r.standbyBugs() {
		return
	}
	switch m.(type) {
	case *message.Prepare, *message.StartView, *message.StartViewChange, *message.DoViewChange,
		*message.NewState, *message.RecoveryResponse:
		panic(fmt.Sprintf("core: standby %d sending %v", r.id, m.Type()))
	}
}

// standbyRulesBroken reports whether the replica breaks a standby rule:
// p, the primary of its view (primaryOf(r.view)), is a standby, or it is a
// standby that changes views or promised a view. Small enough to inline
// into assertInvariants; reportStandbyRules says which.
func (r *Replica) standbyRulesBroken(p int) bool {
	return !r.standbyBugs() && ((p >= 0 && r.members.IsStandby(p)) ||
		(r.standby && (r.status == StatusViewChange || r.promisedView > r.lastNormalView)))
}

// reportStandbyRules panics with the standby rule the replica breaks.
func (r *Replica) reportStandbyRules(p int) {
	if p >= 0 && r.members.IsStandby(p) {
		r.invariantFailed("the primary of view %d is standby %d", r.view, p)
	}
	r.invariantFailed("standby in %v, promised view %d, last normal %d", r.status, r.promisedView, r.lastNormalView)
}

// lagsBehind reports whether the member at index i lags by more than a
// checkpoint behind the primary's commit-number, as far as this view's
// acknowledgements tell: it has not acknowledged in this view, its
// acknowledged op left the primary's log, or the ops between it and the
// commit-number exceed the checkpoint interval or CheckpointBytes.
func (r *Replica) lagsBehind(i int) bool {
	a := r.primary.acked[i]
	switch {
	case !r.primary.joined[i] || a < r.base:
		return true
	case a >= r.commit:
		return false
	case r.cfg.CheckpointInterval > 0 && r.commit-a > r.cfg.CheckpointInterval:
		return true
	}
	bytes := 0
	for _, e := range r.log[a-r.base : r.commit-r.base] {
		bytes += e.Size()
	}
	return bytes > r.cfg.CheckpointBytes
}

// promotesLagging reports whether next promotes a standby of the current
// configuration that lags (lagsBehind).
func (r *Replica) promotesLagging(next Membership) bool {
	for _, m := range next.Members {
		i := r.members.IndexOf(m.ID)
		if i >= 0 && r.members.IsStandby(i) && m.Role == RoleVoter && r.lagsBehind(i) {
			return true
		}
	}
	return false
}
