package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// TestTransientRefusalIsFinal: a RECONFIGURATION refused because a member
// lags (RefuseNewMajority, a transient reason) stays refused: a copy of
// the same request that reaches the primary after the member caught up —
// a retransmission, or a copy the network delayed — is answered with the
// refusal from the client table, never admitted, since the administrator
// was told it is refused and moved on. With the old behaviour planted
// (plant.Bugs.RefusalOffTheLog: the refusal answered off the log) the
// copy is admitted.
func TestTransientRefusalIsFinal(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) {
			cfg.CheckpointInterval = 4
			cfg.Plant(plant.Bugs{RefusalOffTheLog: planted})
		})
		c.writes(0, 1, 2)
		c.addJoiner() // id 3
		c.addJoiner() // id 4
		c.isolate(2)
		for k := 0; k < 6; k++ {
			c.request(0, 1, uint64(10+k), message.KindApp, "w")
		}
		c.tick(2)
		if r := refusal(t, c.reconfigure(0, 1, 0, 0, 1, 2, 3, 4)); r != message.RefuseNewMajority {
			t.Fatalf("planted %v: 3 → 5 with member 2 a checkpoint behind: %v", planted, r)
		}
		c.heal()
		c.tick(30)
		rp := c.reconfigure(0, 1, 0, 0, 1, 2, 3, 4) // the same request again
		switch {
		case planted && (rp == nil || rp.Status != message.StatusOK):
			t.Fatalf("planted RefusalOffTheLog: the copy answered %+v, want it admitted", rp)
		case !planted:
			if r := refusal(t, rp); r != message.RefuseNewMajority {
				t.Fatalf("the copy of a refused request: %v, want the same refusal", r)
			}
			if in := c.info(0); in.Epoch != 0 {
				t.Fatalf("the copy of a refused request moved the cluster to epoch %d", in.Epoch)
			}
		}
	}
}

// TestNoRefusalWhileTransitioning: a RECONFIGURATION that reaches a
// primary whose log ends with another, not yet executed, is not answered
// (the client retries, and its request is then admitted or refused for
// good): the one in the log may not commit — here the primary is cut off
// with it, and the view change elects a primary whose log lacks it — and
// the new primary admits a copy of the second. Answering "in progress"
// (plant.Bugs.RefuseInProgress, the old behaviour) tells the second's
// administrator that a request was not applied which then is.
func TestNoRefusalWhileTransitioning(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(plant.Bugs{RefuseInProgress: planted}) })
		c.writes(0, 1, 2)
		c.addJoiner() // id 3
		const second = 98
		c.request(0, second, 1, message.KindRegister, "")
		c.request(0, 99, 0, message.KindRegister, "") // the first's administrator
		c.isolate(0)
		c.reconfigure(0, 2, 0, 0, 1, 3) // appended at 0, never committed
		if !c.info(0).Transitioning {
			t.Fatal("the primary's log does not end with the first RECONFIGURATION")
		}
		b := string(message.Reconfiguration{Members: []message.Member{full(1), full(2), full(3)}}.Encode())
		c.request(0, second, 2, message.KindReconfigure, b)
		answered := c.lastReply(second)
		if answered != nil && answered.RequestNum != 2 {
			answered = nil // the Register's reply
		}
		if planted != (answered != nil) {
			t.Fatalf("planted %v: the second RECONFIGURATION answered %+v while the first is in progress", planted, answered)
		}
		c.tick(40) // 1 and 2 change views without 0
		if in := c.info(1); in.Status != core.StatusNormal || in.View == 0 {
			t.Fatalf("replica 1: view %d %v, want a later view, normal", in.View, in.Status)
		}
		c.request(1, second, 2, message.KindReconfigure, b) // the client's retry
		c.tick(2)
		admitted := c.info(1).Epoch == 1 && c.info(1).Members.IndexOf(0) < 0
		if answered != nil && answered.Status == message.StatusRefused && admitted {
			if !planted {
				t.Fatal("a RECONFIGURATION answered as refused was admitted later")
			}
			continue
		}
		if planted {
			t.Fatalf("planted RefuseInProgress: answered %+v, admitted %v: the scenario lost its point", answered, admitted)
		}
		if !admitted {
			t.Fatalf("the second RECONFIGURATION, retried at the new primary: epoch %d members %v", c.info(1).Epoch, c.info(1).Members.Members)
		}
	}
}
