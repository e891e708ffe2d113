package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestReconfigureMovesMember: a RECONFIGURATION that changes only a kept
// member's address (vr reconfigure --move) is admitted and moves every
// replica to the new epoch with the new address; the moved member keeps
// its id, role and state (it fetches nothing) and goes on taking part.
// The same configuration asked again is refused as unchanged.
func TestReconfigureMovesMember(t *testing.T) {
	c := newCluster(t, 3)
	c.writes(0, 1, 3)
	addrs := func(moved string) []message.Member {
		return []message.Member{{ID: 0, Role: 1, Addr: "h0:1"}, {ID: 1, Role: 1, Addr: "h1:1"}, {ID: 2, Role: 1, Addr: moved}}
	}
	if rp := c.reconfigureTo(0, 1, 0, addrs("h2:1")...); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("giving addresses: reply %+v, want OK", rp)
	}
	c.tick(40)
	fetches, executed := c.info(2).Counters.CheckpointFetches, c.info(2).Executed
	if rp := c.reconfigureTo(0, 2, 1, addrs("new-h2:7")...); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("moving member 2: reply %+v, want OK", rp)
	}
	c.tick(40)
	for i := range c.replicas {
		in := c.info(i)
		if in.Epoch != 2 || in.Status != core.StatusNormal || in.Members.Members[2].Addr != "new-h2:7" {
			t.Fatalf("replica %d: epoch %d %v, member 2 at %q", i, in.Epoch, in.Status, in.Members.Members[2].Addr)
		}
	}
	in := c.info(2)
	if in.Role != core.RoleVoter || in.Counters.CheckpointFetches != fetches || in.Executed < executed {
		t.Fatalf("moved member: role %v, %d fetches, executed %d (was %d)", in.Role, in.Counters.CheckpointFetches-fetches, in.Executed, executed)
	}
	c.request(0, 1, 10, message.KindApp, "m")
	c.tick(10)
	if c.info(2).Executed != c.info(0).Executed {
		t.Fatalf("moved member executed %d, primary %d", c.info(2).Executed, c.info(0).Executed)
	}
	if r := refusal(t, c.reconfigureTo(0, 3, 2, addrs("new-h2:7")...)); r != message.RefuseUnchanged {
		t.Fatalf("the same configuration again: %v", r)
	}
}
