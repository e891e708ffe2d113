package sim

import (
	"slices"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Standbys (core.RoleStandby) come and go in reconfiguration runs: the
// administrator's plans (planReconfig) add a standby from the unused
// slots, remove one, promote one in place of a full replica (the primary
// too), or promote two (3 -> 5), besides the plans of full replicas only.
// The primary refuses to promote a standby that lags by more than a
// checkpoint (message.RefuseStandbyLagging); the administrator then draws
// again, as for a stale epoch.
//
// Besides every other check, after every step (KindStandby; the first
// two in checks.go, checkQuorumStep):
//   - no replica takes a standby for the primary of its view;
//   - a primary's commit-number reached by counting acknowledgements in its
//     view (core.Info.AckCommit) was acknowledged by f+1 voting members
//     (core.Info.Acked; f over the voting members, as the simulator reads
//     the configuration's roles): a standby's acknowledgement never made
//     the difference. This holds for every run (a commit with one
//     acknowledgement too few is a KindProtocol violation);
//   - a standby sends no StartViewChange, DoViewChange, StartView,
//     NewState or recovery answer.
// A retiring replica may shut down only after f'+1 voting members of its
// new epoch started (checkRetire counts no standby).

// voters is the number of voting members (full replicas and witnesses) of
// m, read from the roles.
func voters(m core.Membership) int {
	n := 0
	for _, mem := range m.Members {
		if mem.Role != core.RoleStandby {
			n++
		}
	}
	return n
}

// checkStandbySend checks that a standby sends nothing only a voting member
// or a holder of a vouched log sends.
func (r *run) checkStandbySend(from int, m message.Message) {
	if r.adm.initial == 0 || r.viol != nil || from >= r.n {
		return
	}
	switch m.(type) {
	case *message.StartViewChange, *message.DoViewChange, *message.StartView, *message.NewState, *message.RecoveryResponse:
	default:
		return
	}
	rep := r.replicas[from]
	if !rep.up {
		return
	}
	if info := rep.core.Info(); info.Role == core.RoleStandby && info.Epoch == message.EpochOf(m) {
		r.violate(KindStandby, "standby %d sent %v in epoch %d", from, m.Type(), info.Epoch)
	}
}

// planReconfig draws the next configuration from the newest one; it
// reports false when none can be drawn now. Half the time, when it can, it
// draws a plan that adds, removes, promotes a standby or demotes a full
// replica to one (reconfig_roles.go); in runs with
// witness slots, a third of the time one that adds or removes witnesses
// (reconfig_roles.go).
func (r *run) planReconfig() bool {
	a := &r.adm
	cur := r.latestConfig()
	if r.laggingMembers() > 0 {
		// CheckEpoch, as a query: the last move has not finished (a
		// member still joins), or a member is down. An administrator
		// waits before the next one.
		return false
	}
	var ids, stand, wit []uint8 // the voting members, the standbys, the witnesses
	for _, m := range cur.Members {
		switch m.Role {
		case core.RoleStandby:
			stand = append(stand, m.ID)
		case core.RoleWitness:
			wit = append(wit, m.ID)
			ids = append(ids, m.ID)
		default:
			ids = append(ids, m.ID)
		}
	}
	var spare, wspare []uint8 // unused slots: joiners with a state machine, witness joiners
	for id := cur.NextID; id < r.n; id++ {
		if r.isWitness(id) {
			wspare = append(wspare, uint8(id))
		} else {
			spare = append(spare, uint8(id))
		}
	}
	prim := uint8(r.latestPrimary(r.latestView(cur.Epoch)))
	full, standby := r.fullPlans(ids, stand, spare, prim), r.standbyPlans(ids, stand, spare, prim)
	standby = append(standby, r.demotePlans(ids, wit, stand, spare, prim)...)
	witness := r.witnessPlans(ids, wit, stand, spare, wspare, prim)
	plans := full
	switch {
	case len(witness) > 0 && r.chance(1.0/3):
		plans = witness
	case len(standby) > 0 && (len(full) == 0 || r.chance(0.5)):
		plans = standby
	}
	if len(plans) == 0 {
		return false
	}
	nextVoters, nextStand := plans[r.rng.IntN(len(plans))]()
	r.setTarget(cur, nextVoters, nextStand)
	r.logf("admin: reconfigure epoch %d %v+standbys %v -> %v+standbys %v (witnesses %v; request %d)",
		cur.Epoch, ids, stand, nextVoters, nextStand, wit, a.req)
	return true
}

// setTarget makes voters (each a witness if its slot is a witness slot,
// else a full replica) and standbys the configuration the administrator
// asks for next, from cur.
func (r *run) setTarget(cur core.Membership, voters, standbys []uint8) {
	a := &r.adm
	a.target, a.promotes, a.witnessChange, a.demotes = a.target[:0], false, false, false
	for _, id := range voters {
		role := core.RoleVoter
		if r.isWitness(int(id)) {
			role = core.RoleWitness
		}
		a.target = append(a.target, message.Member{ID: id, Role: uint8(role)})
		i := cur.IndexOf(id)
		a.promotes = a.promotes || (i >= 0 && cur.IsStandby(i))
		a.witnessChange = a.witnessChange || (i < 0 && role == core.RoleWitness)
	}
	for _, id := range standbys {
		a.target = append(a.target, message.Member{ID: id, Role: uint8(core.RoleStandby)})
		i := cur.IndexOf(id)
		a.demotes = a.demotes || (i >= 0 && cur.Role(i) == core.RoleVoter)
	}
	for _, i := range cur.Witnesses() {
		a.witnessChange = a.witnessChange || !slices.Contains(voters, cur.ID(i))
	}
	slices.SortFunc(a.target, func(x, y message.Member) int { return int(x.ID) - int(y.ID) })
	a.epoch, a.from, a.busy = cur.Epoch, cur, true
	a.req++
}

// plan returns the full replicas and the standbys of a configuration.
type plan func() (full, standby []uint8)

func without(xs []uint8, drop ...uint8) []uint8 {
	return slices.DeleteFunc(slices.Clone(xs), func(x uint8) bool { return slices.Contains(drop, x) })
}

func (r *run) pick(xs []uint8) uint8 { return xs[r.rng.IntN(len(xs))] }

// fullPlans are the moves of full replicas (the standbys stay): 3 -> 5,
// 5 -> 3, replacing a member, removing the primary, a disjoint group.
func (r *run) fullPlans(ids, stand, spare []uint8, prim uint8) []plan {
	var plans []plan
	if len(ids) == 3 && len(spare) >= 2 {
		plans = append(plans, func() ([]uint8, []uint8) { return append(slices.Clone(ids), spare[0], spare[1]), stand }) // 3 -> 5
	}
	if len(ids) == 5 {
		plans = append(plans, func() ([]uint8, []uint8) { // 5 -> 3
			x := r.pick(ids)
			return without(ids, x, r.pick(without(ids, x))), stand
		}, func() ([]uint8, []uint8) { // 5 -> 3 without the primary
			return without(ids, prim, r.pick(without(ids, prim))), stand
		})
	}
	if len(spare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { return append(without(ids, r.pick(ids)), spare[0]), stand }, // replace one
			func() ([]uint8, []uint8) { return append(without(ids, prim), spare[0]), stand }) // replace the primary
	}
	if len(ids) == 3 && len(spare) >= 3 {
		plans = append(plans, func() ([]uint8, []uint8) { return slices.Clone(spare[:3]), stand }) // disjoint
	}
	return plans
}

// standbyPlans are the moves of standbys: add one (at most two), remove
// one, promote one in place of a full replica or of the primary, promote
// two (3 -> 5).
func (r *run) standbyPlans(ids, stand, spare []uint8, prim uint8) []plan {
	var plans []plan
	if len(stand) < 2 && len(spare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { return ids, append(slices.Clone(stand), spare[0]) })
	}
	if len(stand) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { return ids, without(stand, r.pick(stand)) },
			func() ([]uint8, []uint8) { // promote one in place of a full replica
				s := r.pick(stand)
				return append(without(ids, r.pick(ids)), s), without(stand, s)
			}, func() ([]uint8, []uint8) { // promote one in place of the primary
				s := r.pick(stand)
				return append(without(ids, prim), s), without(stand, s)
			})
	}
	if len(ids) == 3 && len(stand) >= 2 {
		plans = append(plans, func() ([]uint8, []uint8) { return append(slices.Clone(ids), stand[0], stand[1]), stand[2:] })
	}
	return plans
}
