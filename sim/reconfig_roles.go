package sim

import "slices"

// Witnesses by reconfiguration. In half of the random reconfiguration runs
// two of the joiner slots (ids at or above Options.Replicas) are witness
// slots: their replicas hold no state machine (vr server --join
// --witness), and the administrator's witness plans add them as witnesses
// (3 -> 5 with two witnesses, a full replica and a witness, one in place
// of a full replica or of the primary) and remove them again (in place of
// a full replica, two at once, one with a full replica). A plan with more
// than f' witnesses is refused (message.RefuseTooManyWitnesses) and drawn
// again, as is one whose new members would be a majority of its voting
// members (a witness added is a joiner: it recovers once it joined, and
// counts against f' as a new full replica does; plant new-witness-holds).
// The witness checks (witness.go) hold for the witness slots all run long:
// never a primary (as the configuration of the replica that stepped
// says), never a state source, no state.
//
// Demotions of full replicas to standbys (demotePlans) are drawn with the
// standby plans (standby.go).

// witnessSlots is how many joiner slots of a reconfiguration run are
// witness slots, when it has any.
const witnessSlots = 2

// drawWitnessSlots makes, in half of the random reconfiguration runs, two
// of the joiner slots witness slots.
func (r *run) drawWitnessSlots() {
	joiners := r.n - r.adm.initial
	if r.adm.scripted || joiners < witnessSlots || !r.chance(0.5) {
		return
	}
	r.witness = make([]bool, r.n)
	for _, k := range r.rng.Perm(joiners)[:witnessSlots] {
		r.witness[r.adm.initial+k] = true
	}
}

// witnessPlans are the moves of witnesses (voters are the voting members,
// wit the witnesses among them; spare and wspare the unused slots with a
// state machine and the unused witness slots).
func (r *run) witnessPlans(voters, wit, stand, spare, wspare []uint8, prim uint8) []plan {
	var plans []plan
	add := func(ids ...uint8) []uint8 { return append(slices.Clone(voters), ids...) }
	if len(voters) == 3 && len(wspare) >= 2 {
		plans = append(plans, func() ([]uint8, []uint8) { return add(wspare[0], wspare[1]), stand }) // 3 -> 5: two witnesses
	}
	if len(voters) == 3 && len(wspare) >= 1 && len(spare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { return add(spare[0], wspare[0]), stand }) // a full replica and a witness
	}
	if len(wspare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { // a witness in place of a voting member
			return append(without(voters, r.pick(voters)), wspare[0]), stand
		}, func() ([]uint8, []uint8) { // ... of the primary
			return append(without(voters, prim), wspare[0]), stand
		})
	}
	if len(voters) == 3 && len(wspare) >= 2 && len(spare) >= 1 {
		// Two witnesses and a full replica in place of a member: two of
		// five voting members stay, which is refused (new majority).
		plans = append(plans, func() ([]uint8, []uint8) {
			return append(without(voters, r.pick(voters)), spare[0], wspare[0], wspare[1]), stand
		})
	}
	if len(voters) == 5 && len(wit) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { // 5 -> 3: a witness and another member
			w := r.pick(wit)
			return without(voters, w, r.pick(without(voters, w))), stand
		})
	}
	if len(voters) == 5 && len(wit) == 2 {
		plans = append(plans, func() ([]uint8, []uint8) { return without(voters, wit...), stand }) // both witnesses
	}
	if len(wit) >= 1 && len(spare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) { return append(without(voters, r.pick(wit)), spare[0]), stand }) // a full replica in place of a witness
	}
	return plans
}

// demotePlans are the demotions of full replicas to standbys (voters are
// the voting members, wit the witnesses among them): a standby promoted in
// place of a full replica or of the primary, which becomes a standby (a
// swap); 5 -> 3 voting members, the two removed kept as standbys; a full
// replica demoted and a new one added; and two of three demoted while two
// new full replicas come in, which is always refused (one of three voting
// members would hold the state; plant demoted-holds).
func (r *run) demotePlans(voters, wit, stand, spare []uint8, prim uint8) []plan {
	full := without(voters, wit...)
	var plans []plan
	if len(stand) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) {
			s, x := r.pick(stand), r.pick(full)
			return append(without(voters, x), s), append(without(stand, s), x)
		}, func() ([]uint8, []uint8) {
			s := r.pick(stand)
			return append(without(voters, prim), s), append(without(stand, s), prim)
		})
	}
	if len(voters) == 5 && len(full) >= 2 {
		plans = append(plans, func() ([]uint8, []uint8) {
			x := r.pick(full)
			y := r.pick(without(full, x))
			if r.chance(0.5) && x != prim && y != prim {
				y = prim
			}
			return without(voters, x, y), append(slices.Clone(stand), x, y)
		})
	}
	if len(spare) >= 1 {
		plans = append(plans, func() ([]uint8, []uint8) {
			x := r.pick(full)
			return append(without(voters, x), spare[0]), append(slices.Clone(stand), x)
		})
	}
	if len(voters) == 3 && len(full) == 3 && len(spare) >= 2 {
		plans = append(plans, func() ([]uint8, []uint8) {
			x := r.pick(full)
			return []uint8{x, spare[0], spare[1]}, append(slices.Clone(stand), without(full, x)...)
		})
	}
	return plans
}
