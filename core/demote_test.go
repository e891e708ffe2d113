package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// TestDemotePrimaryToStandby adds a standby (id 3) to {0, 1, 2}, then
// demotes the primary, 0, to a standby while promoting 3 in one
// reconfiguration: the new epoch's primary is a full replica, the demoted
// replica keeps its state (no checkpoint fetched) and follows the new
// primary's writes as a standby, voting nowhere.
func TestDemotePrimaryToStandby(t *testing.T) {
	c, s := clusterWithStandby(t)
	fetches := c.info(0).Counters.CheckpointFetches
	if rp := c.reconfigureTo(0, 2, 1, standby(0), full(1), full(2), full(s)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("demoting the primary: reply %+v, want OK", rp)
	}
	c.tick(40)
	in := c.info(0)
	if in.Epoch != 2 || in.Status != core.StatusNormal || in.Role != core.RoleStandby {
		t.Fatalf("demoted replica 0: epoch %d %v role %v, want a normal standby of epoch 2", in.Epoch, in.Status, in.Role)
	}
	if in.Counters.CheckpointFetches != fetches {
		t.Fatalf("demoted replica fetched %d checkpoints: it kept its state", in.Counters.CheckpointFetches-fetches)
	}
	p := c.info(1).Primary
	if p < 0 || c.info(1).Members.Role(p) != core.RoleVoter || c.info(p).Status != core.StatusNormal {
		t.Fatalf("epoch 2's primary %d is not a normal full replica", p)
	}
	if in.Members.Faults() != 1 || in.Members.Voters() != 3 {
		t.Fatalf("epoch 2: f %d, %d voters", in.Members.Faults(), in.Members.Voters())
	}
	for k := 0; k < 4; k++ {
		c.request(p, 1, uint64(k+7), message.KindApp, "d")
	}
	c.tick(10)
	if c.info(0).Executed != c.info(p).Executed || c.sms[0].digest() != c.sms[p].digest() {
		t.Fatalf("demoted standby executed %d, primary %d: it does not follow", c.info(0).Executed, c.info(p).Executed)
	}
	if c.info(p).Executed <= in.Executed {
		t.Fatalf("nothing executed in epoch 2 (primary at %d)", c.info(p).Executed)
	}
}

// TestDemotionRules: a demoted member counts as no voting member that
// holds the state: demoting two of three full replicas while adding two
// new ones leaves one of three voting members holding the state, refused
// with RefuseNewMajority (admitted with the plant DemotedHolds); and a
// witness does not become a standby (RefuseInvalid).
func TestDemotionRules(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(plant.Bugs{DemotedHolds: planted}) })
		c.writes(0, 1, 2)
		a, b := c.addJoiner(), c.addJoiner()
		rp := c.reconfigureTo(0, 1, 0, full(0), standby(1), standby(2), full(a), full(b))
		if !planted {
			if r := refusal(t, rp); r != message.RefuseNewMajority {
				t.Fatalf("one of three voting members holding the state: %v, want %v", r, message.RefuseNewMajority)
			}
			continue
		}
		if rp == nil || rp.Status != message.StatusOK {
			t.Fatalf("planted DemotedHolds: reply %+v, want the move admitted", rp)
		}
	}
	c := newCluster(t, 3)
	c.writes(0, 1, 2)
	w1, w2 := c.addWitnessJoiner(), c.addWitnessJoiner()
	if rp := c.reconfigureTo(0, 1, 0, full(0), full(1), full(2), witness(w1), witness(w2)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("adding two witnesses: reply %+v, want OK", rp)
	}
	c.tick(40)
	if r := refusal(t, c.reconfigureTo(c.info(0).Primary, 2, 1, full(0), full(1), standby(w1), witness(w2))); r != message.RefuseInvalid {
		t.Fatalf("a witness made a standby: %v, want %v", r, message.RefuseInvalid)
	}
}
