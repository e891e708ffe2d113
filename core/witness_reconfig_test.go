package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// addWitnessJoiner starts a replica with id len(c.replicas) that is a
// member of no configuration yet and holds no state machine: it can join
// only as a witness (vr server --join --witness).
func (c *cluster) addWitnessJoiner() int { return c.addJoinerWith(nil) }

func witness(id int) message.Member {
	return message.Member{ID: uint8(id), Role: uint8(core.RoleWitness)}
}

// TestWitnessAddedThenRemoved grows 3 full replicas by two witnesses added
// by a reconfiguration (3 full + 2 witnesses: f' = 2), checks that the
// witnesses take part in the new epoch without state, that writes commit,
// and then removes them again: they retire.
func TestWitnessAddedThenRemoved(t *testing.T) {
	c := newCluster(t, 3)
	c.writes(0, 1, 5)
	w1, w2 := c.addWitnessJoiner(), c.addWitnessJoiner()
	if rp := c.reconfigureTo(0, 1, 0, full(0), full(1), full(2), witness(w1), witness(w2)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("adding two witnesses: reply %+v, want OK", rp)
	}
	c.tick(40)
	for _, w := range []int{w1, w2} {
		in := c.info(w)
		if in.Epoch != 1 || in.Status != core.StatusNormal || in.Role != core.RoleWitness || in.Executed != 0 {
			t.Fatalf("witness %d: epoch %d %v role %v executed %d", w, in.Epoch, in.Status, in.Role, in.Executed)
		}
	}
	if f := c.info(0).Members.Faults(); f != 2 {
		t.Fatalf("f' = %d, want 2", f)
	}
	primary := c.info(0).Primary
	for k := 0; k < 4; k++ {
		c.request(primary, 1, uint64(k+7), message.KindApp, "w")
	}
	c.tick(10)
	if in := c.info(w1); in.Op != c.info(primary).Op || in.Commit != c.info(primary).Commit {
		t.Fatalf("witness op %d commit %d, primary op %d commit %d: it does not follow",
			in.Op, in.Commit, c.info(primary).Op, c.info(primary).Commit)
	}
	if rp := c.reconfigureTo(primary, 2, 1, full(0), full(1), full(2)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("removing the witnesses: reply %+v, want OK", rp)
	}
	c.tick(40)
	for _, w := range []int{w1, w2} {
		if in := c.info(w); in.Status != core.StatusRetired {
			t.Fatalf("removed witness %d: %v, want retired", w, in.Status)
		}
	}
	if in := c.info(0); in.Epoch != 2 || in.Members.Size() != 3 {
		t.Fatalf("after the removal: epoch %d, %d members", in.Epoch, in.Members.Size())
	}
}

// TestReconfigureWitnessRules: a configuration with more than f'
// witnesses is refused with RefuseTooManyWitnesses (a quorum of f'+1
// could then hold no full replica), and a new witness is a joiner that
// counts against f' like a new full replica: replacing a full replica and
// adding two witnesses (two of five voting members stay) is refused with
// RefuseNewMajority, and admitted with the plant NewWitnessHolds.
func TestReconfigureWitnessRules(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(plant.Bugs{NewWitnessHolds: planted}) })
		c.writes(0, 1, 2)
		w1, w2 := c.addWitnessJoiner(), c.addWitnessJoiner() // ids 3, 4
		f := c.addJoiner()                                   // id 5
		if r := refusal(t, c.reconfigureTo(0, 1, 0, full(0), witness(w1), witness(w2))); r != message.RefuseTooManyWitnesses {
			t.Fatalf("2 witnesses of 3: %v, want %v", r, message.RefuseTooManyWitnesses)
		}
		rp := c.reconfigureTo(0, 2, 0, full(0), full(1), full(f), witness(w1), witness(w2))
		if !planted {
			if r := refusal(t, rp); r != message.RefuseNewMajority {
				t.Fatalf("two of five voting members staying: %v, want %v", r, message.RefuseNewMajority)
			}
			continue
		}
		if rp == nil || rp.Status != message.StatusOK {
			t.Fatalf("planted NewWitnessHolds: reply %+v, want the move admitted", rp)
		}
	}
}
