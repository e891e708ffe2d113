package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Witnesses (RoleWitness) take the protocol's part of a replica without its
// state, as in Harp: a witness stores full log entries, acknowledges
// Prepares (its PrepareOK counts towards the f+1 that commit an op), sends
// StartViewChange and DoViewChange with its log, answers Recovery as a
// backup does and adopts StartView logs. It never executes an op, holds no
// client table, state machine or checkpoint, answers no client request and
// never becomes primary: primaryOf ranges over the full replicas. No
// replica asks it for state transfer or a checkpoint (stateSource), and it
// answers no GetState: a replica that fetches state gets it from a full
// replica, whose log and state agree.
//
// Its log would grow without bound, since it takes no checkpoints: it drops
// its log up to the primary's log base instead, which every Prepare and
// Commit carries (followBase). Ops at or below the primary's base are
// committed and the primary's own log no longer holds them either, so the
// witness forgets nothing that a full replica's log still needed from it.
// docs/protocol.md ("Witnesses") says which failures then stall.

// followBase drops a witness's log up to the primary's log base, when the
// primary reports a commit-number at or above it: those ops are committed,
// and this witness's log, a prefix of the view's log, holds them. The
// durable log follows through Output.LogBase.
func (r *Replica) followBase(base, commit uint64) {
	r.primaryBase = max(r.primaryBase, base)
	if !r.witness {
		return
	}
	op := min(base, commit, r.op())
	if op <= r.base {
		return
	}
	for _, e := range r.log[:op-r.base] {
		r.logBytes -= e.Size()
	}
	r.log = slices.Clone(r.log[op-r.base:])
	r.base = op
	r.commit = max(r.commit, op)
}

// stateSource returns the replica to ask for state transfer or a checkpoint
// on the attempt-th try: the primary of view first, then the other full
// replicas in turn, never this replica and never a witness. It moves
// attempt past this replica.
func (r *Replica) stateSource(view uint64, attempt *int) int {
	ring := r.full
	if r.cfg.bugs.WitnessServesState {
		ring = make([]int, r.n) // every member, as before witnesses existed
		for i := range ring {
			ring[i] = i
		}
	}
	start := slices.Index(ring, r.primaryOf(view))
	if start < 0 {
		start = 0 // a planted witness primary
	}
	to := ring[(start+*attempt)%len(ring)]
	if to == r.index {
		*attempt++
		to = ring[(start+*attempt)%len(ring)]
	}
	if r.members.IsWitness(to) && !r.cfg.bugs.WitnessServesState {
		panic(fmt.Sprintf("core: replica %d asking witness %d for state", r.index, to))
	}
	return to
}

// plantedWitnessCopy is e, or, on a witness with WitnessMetadataOnly
// planted, e without its payload.
func (r *Replica) plantedWitnessCopy(e message.Entry) message.Entry {
	if r.witness && r.cfg.bugs.WitnessMetadataOnly {
		e.Payload = nil
	}
	return e
}

// witnessBugs reports whether a planted bug lets a witness lead or serve.
func (r *Replica) witnessBugs() bool {
	return r.cfg.bugs.WitnessMayLead || r.cfg.bugs.WitnessServesState
}

// assertWitnessSends panics if a witness is about to send what only a
// primary or a holder of the state sends.
func (r *Replica) assertWitnessSends(m message.Message) {
	if !r.witness || r.witnessBugs() {
		return
	}
	switch m := m.(type) {
	case *message.Prepare, *message.StartView, *message.NewState, *message.CheckpointChunk:
		panic(fmt.Sprintf("core: witness %d sending %v", r.index, m.Type()))
	case *message.RecoveryResponse:
		if len(m.Log) > 0 {
			panic(fmt.Sprintf("core: witness %d serving its log to recovering replica", r.index))
		}
	}
}

// assertNotWitness panics if this replica is a witness: what calls it
// (executing, checkpointing, restoring) needs the application state.
func (r *Replica) assertNotWitness(what string) {
	if r.witness {
		panic(fmt.Sprintf("core: witness %d asked to %s", r.index, what))
	}
}

// witnessRulesBroken reports whether the replica breaks a witness rule: p,
// the primary of its view (primaryOf(r.view)), is a witness, or it is a
// witness that holds state. Small enough to inline into assertInvariants,
// which runs at every step; reportWitnessRules says which.
func (r *Replica) witnessRulesBroken(p int) bool {
	return (!r.witnessBugs() && r.members.IsWitness(p)) ||
		(r.witness && (r.executed != 0 || r.ckpt.Op != 0 || r.saved[0] != 0 || r.sessions.len() != 0))
}

// reportWitnessRules panics with the witness rule the replica breaks.
func (r *Replica) reportWitnessRules(p int) {
	if !r.witnessBugs() && r.members.IsWitness(p) {
		r.invariantFailed("the primary of view %d is witness %d", r.view, p)
	}
	r.invariantFailed("witness holds state: executed %d, checkpoint %d, saved %d, %d sessions",
		r.executed, r.ckpt.Op, r.saved[0], r.sessions.len())
}
