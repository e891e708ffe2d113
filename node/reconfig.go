package node

import (
	"fmt"
	"strings"

	"github.com/vr-go/vr/core"
)

// observeEpoch learns the addresses of a new configuration and logs the
// move into it.
func (n *Node) observeEpoch(prev, info core.Info) {
	if info.Epoch == prev.Epoch && info.Members.Size() == prev.Members.Size() {
		return
	}
	n.learnMembers(info.Members.Members)
	if info.Epoch != prev.Epoch {
		n.log.Info("entered a new epoch", "epoch", info.Epoch, "from_epoch", prev.Epoch,
			"configuration", describeMembers(n.configMembersInfo(info)), "status", info.Status.String())
	}
}

// leftBehind reports a replica that learned (StartEpoch) of a later epoch
// that does not include it, and never executed the RECONFIGURATION that
// began it: the core stops it (StatusRetired while still in its old
// configuration, without Output.Retire) because it holds nothing the new
// epoch needs; it may exit at once.
func (n *Node) leftBehind() bool {
	return n.last.Status == core.StatusRetired && n.last.Index >= 0
}

// logRetired says why the replica stops: it left the configuration and
// enough members of the new one hold the state, or it was left behind.
func (n *Node) logRetired() {
	info := n.replica.Info()
	if n.leftBehind() {
		n.log.Info("retired: this replica is not a member of a later epoch and never executed the reconfiguration that began it, so it holds nothing that epoch needs; exiting",
			"epoch", info.Epoch, "configuration", describeMembers(n.configMembersInfo(info)))
		return
	}
	n.log.Info("retired: this replica is not a member of the new configuration, and f'+1 of its members hold the epoch's state; exiting",
		"epoch", info.Epoch, "configuration", describeMembers(n.configMembersInfo(info)), "started", info.Started)
}

// configMembersInfo is configMembers as id=address pairs.
func (n *Node) configMembersInfo(info core.Info) []MemberStatus {
	var ms []MemberStatus
	for _, m := range n.configMembers(info) {
		ms = append(ms, MemberStatus{ID: int(m.ID), Role: core.Role(m.Role).String(), Addr: m.Addr})
	}
	return ms
}

// describeMembers formats a configuration as "id=addr ..." (witnesses
// marked).
func describeMembers(ms []MemberStatus) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
		if m.Role != core.RoleVoter.String() {
			parts[i] += "(" + m.Role + ")"
		}
	}
	return strings.Join(parts, " ")
}
