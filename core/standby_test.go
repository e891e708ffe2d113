package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// reconfigureTo sends the admin client's RECONFIGURATION from epoch to the
// members ms to replica to and returns the reply, if any.
func (c *cluster) reconfigureTo(to int, reqNum, epoch uint64, ms ...message.Member) *message.Reply {
	const admin = 99
	if reqNum == 1 {
		c.request(to, admin, 0, message.KindRegister, "")
	}
	c.request(to, admin, reqNum, message.KindReconfigure, string(message.Reconfiguration{Epoch: epoch, Members: ms}.Encode()))
	c.tick(1)
	return c.lastReply(admin)
}

func full(id int) message.Member { return message.Member{ID: uint8(id), Role: uint8(core.RoleVoter)} }
func standby(id int) message.Member {
	return message.Member{ID: uint8(id), Role: uint8(core.RoleStandby)}
}

func refusal(t *testing.T, rp *message.Reply) message.RefusalReason {
	t.Helper()
	if rp == nil || rp.Status != message.StatusRefused || len(rp.Result) == 0 {
		t.Fatalf("reply %+v, want a refusal", rp)
	}
	return message.RefusalReason(rp.Result[0])
}

// TestStandbyAddedThenPromoted adds a standby to 3 full replicas, checks
// that it follows the primary's writes, and promotes it in place of a full
// replica: it enters the new epoch by executing the RECONFIGURATION, with
// no checkpoint to fetch.
func TestStandbyAddedThenPromoted(t *testing.T) {
	c, s := clusterWithStandby(t)
	in := c.info(s)
	if in.Epoch != 1 || in.Status != core.StatusNormal || in.Role != core.RoleStandby || in.Members.Faults() != 1 {
		t.Fatalf("standby: epoch %d %v role %v, f %d", in.Epoch, in.Status, in.Role, in.Members.Faults())
	}
	for k := 0; k < 6; k++ {
		c.request(0, 1, uint64(k+7), message.KindApp, "s")
	}
	c.tick(10)
	if c.sms[s].digest() != c.sms[0].digest() || c.info(s).Executed != c.info(0).Executed {
		t.Fatalf("standby executed %d, primary %d: it does not follow", c.info(s).Executed, c.info(0).Executed)
	}
	fetches := c.info(s).Counters.CheckpointFetches
	if rp := c.reconfigureTo(0, 2, 1, full(0), full(1), full(s)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("promoting the standby: reply %+v, want OK", rp)
	}
	c.tick(40)
	in = c.info(s)
	if in.Epoch != 2 || in.Status != core.StatusNormal || in.Role != core.RoleVoter {
		t.Fatalf("promoted standby: epoch %d %v role %v", in.Epoch, in.Status, in.Role)
	}
	if got := in.Counters.CheckpointFetches; got != fetches {
		t.Fatalf("promoted standby fetched %d checkpoints, want none: it held the state", got-fetches)
	}
	if in := c.info(2); in.Status != core.StatusRetired {
		t.Fatalf("replaced replica 2: %v, want retired", in.Status)
	}
}

// standbyCluster is 3 full replicas (ids 0-2) and a standby (id 3) in
// epoch 0, with plant planted.
func standbyCluster(t *testing.T, bugs plant.Bugs) *cluster {
	return newClusterWith(t, 4, func(cfg *core.Config) {
		m, err := core.NewMembership(4).WithStandbys(3)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Membership = m
		cfg.Plant(bugs)
	})
}

// TestStandbyCountsInNoQuorum cuts the primary off from both full backups:
// the standby still acknowledges, but nothing commits (2 of 3 voters are
// needed). With the planted StandbyInQuorum, the standby's PrepareOK
// commits the op on the primary and the standby alone.
func TestStandbyCountsInNoQuorum(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := standbyCluster(t, plant.Bugs{StandbyInQuorum: planted})
		if f := c.info(0).Members.Faults(); f != 1 {
			t.Fatalf("f = %d over 3 voters and a standby, want 1", f)
		}
		c.writes(0, 1, 2)
		commit := c.info(0).Commit
		for _, b := range []int{1, 2} {
			c.cut[[2]int{0, b}], c.cut[[2]int{b, 0}] = true, true
		}
		c.request(0, 1, 4, message.KindApp, "x")
		c.tick(1)
		in := c.info(0)
		if in.Op <= commit || c.info(3).Op != in.Op {
			t.Fatalf("planted %v: primary op %d, standby op %d, commit %d", planted, in.Op, c.info(3).Op, commit)
		}
		if committed := in.Commit > commit; committed != planted {
			t.Fatalf("planted %v: commit went from %d to %d on the primary and the standby", planted, commit, in.Commit)
		}
	}
}

// TestStandbyNeverPrimary isolates the primary again and again: view
// changes skip the standby (index 3 would lead views 3, 7... round robin
// over every member), and the standby takes no part in them and follows
// the new views. With the planted StandbyMayLead some replica takes the
// standby for a view's primary.
func TestStandbyNeverPrimary(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := standbyCluster(t, plant.Bugs{StandbyMayLead: planted})
		c.writes(0, 1, 2)
		led := false // some replica took the standby for a view's primary
		for k := 0; k < 8*80; k++ {
			switch k % 80 {
			case 0:
				c.isolate(c.info(0).Primary) // whoever leads (by replica 0's view)
			case 60:
				c.heal()
			}
			c.tick(1)
			for i := range c.replicas {
				led = led || c.info(i).Primary == 3
			}
		}
		if led != planted {
			t.Fatalf("planted %v: the standby was taken for a primary: %v", planted, led)
		}
		if planted {
			continue
		}
		in, s := c.info(0), c.info(3)
		if in.View < 3 || s.View != in.View || s.Status != core.StatusNormal || s.Executed != in.Executed {
			t.Fatalf("after view changes: replica 0 view %d, standby view %d %v executed %d/%d",
				in.View, s.View, s.Status, s.Executed, in.Executed)
		}
	}
}

// TestPromotingLaggingStandbyRefused: a standby cut off from the primary
// lags by more than the checkpoint interval, and its promotion is refused
// with RefuseStandbyLagging; once it caught up, the same promotion passes.
func TestPromotingLaggingStandbyRefused(t *testing.T) {
	c := newClusterWith(t, 4, func(cfg *core.Config) {
		m, err := core.NewMembership(4).WithStandbys(3)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Membership, cfg.CheckpointInterval = m, 4
	})
	c.request(0, 1, 1, message.KindRegister, "")
	c.tick(2)
	c.isolate(3)
	for k := 0; k < 6; k++ {
		c.request(0, 1, uint64(k+2), message.KindApp, "w")
	}
	c.tick(2)
	promote := []message.Member{full(0), full(1), full(3)}
	if r := refusal(t, c.reconfigureTo(0, 1, 0, promote...)); r != message.RefuseStandbyLagging {
		t.Fatalf("promoting a lagging standby: %v", r)
	}
	if r := refusal(t, c.reconfigureTo(0, 2, 0, full(0), full(1), full(2), full(3))); r != message.RefuseInvalid {
		t.Fatalf("four voting members: %v", r)
	}
	if r := refusal(t, c.reconfigureTo(0, 3, 0, full(0), full(1), standby(2), standby(3))); r != message.RefuseTooSmall {
		t.Fatalf("two voting members: %v", r)
	}
	if r := refusal(t, c.reconfigureTo(0, 4, 0, full(0), standby(1), full(2), full(3))); r != message.RefuseStandbyLagging {
		t.Fatalf("a full replica demoted while the lagging standby is promoted: %v", r)
	}
	c.heal()
	c.tick(30)
	if rp := c.reconfigureTo(0, 5, 0, promote...); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("promoting the caught-up standby: reply %+v, want OK", rp)
	}
}

// clusterWithStandby returns 3 full replicas {0, 1, 2} that executed 5
// writes and then added a standby, whose id it returns, in epoch 1.
func clusterWithStandby(t *testing.T) (*cluster, int) {
	t.Helper()
	c := newCluster(t, 3)
	c.writes(0, 1, 5)
	s := c.addJoiner()
	if rp := c.reconfigureTo(0, 1, 0, full(0), full(1), full(2), standby(s)); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("adding a standby: reply %+v, want OK", rp)
	}
	c.tick(40)
	return c, s
}
