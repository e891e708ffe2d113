package node

import (
	"errors"
	"fmt"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// ErrRole is returned by Run when the first configuration that names a
// joiner gives it a role its process cannot take: a witness (no state
// machine) named a full replica or a standby, a replica with a state
// machine named a witness, or a joiner started as a standby
// (JoinStandby) named anything else. The core would wait for ever (a
// witness cannot fetch state, a full replica cannot shed it); the node
// stops with this error instead, naming the flag to change.
var ErrRole = errors.New("node: the configuration names this replica with another role")

// joinRole is the role this joiner's process takes: 0 for a plain joiner,
// which is a full replica or a standby as its configuration says.
func (c Config) joinRole() core.Role {
	switch {
	case c.JoinWitness:
		return core.RoleWitness
	case c.JoinStandby:
		return core.RoleStandby
	}
	return 0
}

// checkRole checks the role a StartEpoch gives this joiner, while it is a
// member of no configuration yet (later roles change by reconfiguration:
// a standby promoted, a full replica demoted).
func (n *Node) checkRole(se *message.StartEpoch) {
	if !n.cfg.Join || n.roleErr != nil || n.last.Members.IndexOf(uint8(n.cfg.Index)) >= 0 {
		return
	}
	for _, m := range se.Members {
		if int(m.ID) != n.cfg.Index {
			continue
		}
		if got, want := core.Role(m.Role), n.cfg.joinRole(); roleFits(got, want) {
			return
		}
		n.roleErr = fmt.Errorf("%w: epoch %d names replica %d a %v, but it was started %s; restart it %s",
			ErrRole, se.Epoch, n.cfg.Index, core.Role(m.Role), roleFlag(n.cfg.joinRole()), flagFor(core.Role(m.Role)))
	}
}

// roleFits reports whether a joiner started for want can be got.
func roleFits(got, want core.Role) bool {
	switch want {
	case 0:
		return got == core.RoleVoter || got == core.RoleStandby
	default:
		return got == want
	}
}

func roleFlag(r core.Role) string {
	switch r {
	case core.RoleWitness:
		return "with --witness (no state machine)"
	case core.RoleStandby:
		return "with --standby"
	}
	return "as a full replica (with a state machine)"
}

func flagFor(r core.Role) string {
	switch r {
	case core.RoleWitness:
		return "with --join --witness"
	case core.RoleStandby:
		return "with --join --standby (or --join)"
	}
	return "with --join, without --witness or --standby"
}
