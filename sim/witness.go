package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Witness runs (Options.Witnesses, or a profile with Faults.Witnesses)
// give the cluster witnesses at random indexes: members that hold the log
// but no state (core.RoleWitness). Besides every other check, after every
// step the simulator checks the witness rules (KindWitness): no replica
// takes a witness for a view's primary, a witness executes nothing, takes
// no checkpoint, and sends nothing that only a primary or a holder of the
// state sends (Prepare, StartView, NewState, a checkpoint chunk, a
// recovery answer with a log, a client reply).
//
// Witnesses change the fault model (docs/protocol.md, "Witnesses"): the
// state lives on the full replicas only, so a crash must leave some full
// replica that can continue from the logs the others hold (stateSurvives).

// witnessCount is the number of witnesses the run's cluster has.
func (o Options) witnessCount() int {
	if o.Witnesses != 0 {
		return o.Witnesses
	}
	if o.Faults.Witnesses {
		return (o.Replicas - 1) / 2
	}
	return 0
}

// drawWitnesses picks the witnesses' indexes at random.
func (r *run) drawWitnesses() {
	if r.adm.initial > 0 && r.witness == nil {
		r.drawWitnessSlots() // witnesses come and go by reconfiguration (reconfig_roles.go)
		return
	}
	k := r.opts.witnessCount()
	if k == 0 || r.witness != nil {
		return // none, or placed by a scripted scenario
	}
	r.witness = make([]bool, r.n)
	for _, i := range r.rng.Perm(r.n)[:k] {
		r.witness[i] = true
	}
}

// isWitness reports whether replica i is a witness.
func (r *run) isWitness(i int) bool { return r.witness != nil && i >= 0 && i < r.n && r.witness[i] }

// primaryOf is the primary of view v as the core chooses it: round robin
// over the full replicas (every replica when there is no witness).
func (r *run) primaryOf(v uint64) int {
	if r.adm.initial > 0 {
		return r.latestPrimary(v)
	}
	if r.witness == nil {
		return int(v % uint64(r.n))
	}
	full := 0 // the full replicas, in index order (no allocation: it runs per event)
	for i := range r.n {
		if !r.witness[i] {
			full++
		}
	}
	k := int(v % uint64(full))
	for i := range r.n {
		if !r.witness[i] {
			if k == 0 {
				return i
			}
			k--
		}
	}
	panic("sim: no full replica")
}

// membership is the cluster's configuration (in a reconfiguration run,
// the one of epoch 0).
func (r *run) membership() core.Membership {
	if r.adm.initial > 0 {
		return core.NewMembership(r.adm.initial)
	}
	m := core.NewMembership(r.n)
	var ws []int
	for i := range r.n {
		if r.isWitness(i) {
			ws = append(ws, i)
		}
	}
	m, err := m.WithWitnesses(ws...)
	if err != nil {
		panic(err) // drawn in range, each once: a simulator bug
	}
	return m
}

// checkWitnessStep checks the witness rules on the replica that stepped.
func (r *run) checkWitnessStep(rep *replica, info *core.Info, applied []core.Applied, ckpt bool) {
	if r.witness == nil || r.viol != nil {
		return
	}
	if p := info.Primary; p >= 0 && p < info.Members.Size() && info.Members.IsWitness(p) {
		r.violate(KindWitness, "replica %d takes witness %d for the primary of view %d", rep.idx, info.Members.ID(p), info.View)
		return
	}
	if !r.isWitness(rep.idx) {
		return
	}
	switch {
	case len(applied) > 0:
		r.violate(KindWitness, "witness %d executed op %d", rep.idx, applied[0].Entry.Op)
	case ckpt || info.Executed != 0 || info.CheckpointOp != 0:
		r.violate(KindWitness, "witness %d holds state: executed %d, checkpoint %d", rep.idx, info.Executed, info.CheckpointOp)
	}
}

// checkWitnessSend checks that a witness sends nothing only a primary or a
// holder of the state sends.
func (r *run) checkWitnessSend(from int, m message.Message) {
	if !r.isWitness(from) || r.viol != nil {
		return
	}
	switch m := m.(type) {
	case *message.Prepare, *message.StartView, *message.Reply:
		r.violate(KindWitness, "witness %d acts as primary: sent %v", from, m.Type())
	case *message.NewState, *message.CheckpointChunk:
		r.violate(KindWitness, "witness %d is a state source: sent %v", from, m.Type())
	case *message.RecoveryResponse:
		if len(m.Log) > 0 {
			r.violate(KindWitness, "witness %d is a recovery source: sent its log", from)
		}
	}
}

// stateSurvives reports whether crashing replica x leaves the replicated
// state recoverable without x: some other full replica is up, holds the
// state (it is neither recovering nor fetching a checkpoint) and has
// committed at least up to every log base in the cluster, so that any log
// a view change chooses continues its own. Without witnesses every crash
// within f leaves such a replica (f+1 replicas hold every committed op);
// with witnesses a commit may rest on one full replica and witnesses,
// whose log starts above what a lagging full replica holds.
func (r *run) stateSurvives(x int) bool {
	if r.witness == nil {
		return true
	}
	var top uint64
	for _, rep := range r.replicas {
		if rep.up {
			top = max(top, rep.core.Info().LogBase)
		}
	}
	members := r.finalMembers() // in a reconfiguration run, the newest epoch's members
	for _, rep := range members {
		if rep.idx == x || !rep.up || rep.recovering || r.isWitness(rep.idx) || r.stateless(rep) ||
			(rep.disk != nil && rep.disk.damaged) {
			continue
		}
		if rep.core.Info().Commit >= top {
			return true
		}
	}
	return false
}

// fullReplica returns a full replica near i: i itself unless it is a
// witness (clients send stale reads to full replicas only).
func (r *run) fullReplica(i int) int {
	for r.isWitness(i) {
		i = (i + 1) % r.n
	}
	return i
}
