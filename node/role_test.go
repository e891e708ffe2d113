package node

import (
	"errors"
	"strings"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestJoinerRoleChecked: a joiner whose first configuration names it with
// a role its process cannot take stops with ErrRole (naming the flag to
// use), and one named with a role it can take goes on; once a member, its
// role may change by reconfiguration without an error.
func TestJoinerRoleChecked(t *testing.T) {
	named := func(role core.Role) *message.StartEpoch {
		return &message.StartEpoch{Epoch: 1, Members: []message.Member{{ID: 0, Role: 1}, {ID: 1, Role: 1}, {ID: 2, Role: 1}, {ID: 5, Role: uint8(role)}}}
	}
	for _, c := range []struct {
		witness, standby bool
		got              core.Role
		ok               bool
	}{
		{false, false, core.RoleVoter, true},
		{false, false, core.RoleStandby, true},
		{false, false, core.RoleWitness, false},
		{true, false, core.RoleWitness, true},
		{true, false, core.RoleVoter, false},
		{true, false, core.RoleStandby, false},
		{false, true, core.RoleStandby, true},
		{false, true, core.RoleVoter, false},
		{false, true, core.RoleWitness, false},
	} {
		n := &Node{cfg: Config{Join: true, Index: 5, JoinWitness: c.witness, JoinStandby: c.standby}}
		n.checkRole(named(c.got))
		if (n.roleErr == nil) != c.ok {
			t.Errorf("witness %v standby %v named %v: %v", c.witness, c.standby, c.got, n.roleErr)
		}
		if n.roleErr != nil && (!errors.Is(n.roleErr, ErrRole) || !strings.Contains(n.roleErr.Error(), "restart it with --join")) {
			t.Errorf("error %q: want ErrRole and the flag to use", n.roleErr)
		}
	}
	n := &Node{cfg: Config{Join: true, Index: 5, JoinStandby: true}}
	n.last.Members = core.FromWire(1, named(core.RoleStandby).Members, 6)
	if n.checkRole(named(core.RoleVoter)); n.roleErr != nil {
		t.Errorf("a standby member promoted: %v", n.roleErr)
	}
}
