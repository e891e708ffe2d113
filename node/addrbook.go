package node

import (
	"slices"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// The address book: id → address of every replica this node may talk to.
// Epoch 0's addresses come from the flags (Config.Peers); the addresses of
// members added by reconfigurations come from the protocol, which carries
// them with each member as opaque data (docs/protocol.md, "Addresses"):
// the replica's configuration (Info().Members, restored from the disk
// after a restart) and every StartEpoch received, whose previous
// configuration names the members that leave and serve the new epoch's
// state. Entries are only added or changed, never removed: a leaving
// member still serves state and needs its EpochStarted. Only the loop
// goroutine touches the book.

// initBook fills the book from the flags and the replica's configuration.
func (n *Node) initBook() {
	n.book = map[uint8]string{}
	for i, a := range n.cfg.Peers {
		if a != "" {
			n.book[uint8(i)] = a
		}
	}
	n.learnMembers(n.replica.Info().Members.Members)
}

// learn records that replica id listens at addr, and tells the transport.
func (n *Node) learn(id uint8, addr string) {
	if addr == "" || n.book[id] == addr {
		return
	}
	n.book[id] = addr
	if int(id) == n.cfg.Index {
		return // our own: we listen, we never dial it
	}
	if err := n.transport.SetPeer(int(id), addr); err != nil {
		n.log.Warn("a configuration names a replica address that cannot be dialled", "peer", id, "addr", addr, "err", err)
		return
	}
	n.log.Info("learned a replica's address", "peer", id, "addr", addr)
}

// learnMembers learns the addresses a configuration carries.
func (n *Node) learnMembers(ms []core.Member) {
	for _, m := range ms {
		n.learn(m.ID, m.Addr)
	}
}

// learnFrom learns the addresses a message from a peer carries: those of
// a StartEpoch's new configuration, and of the members of its previous one
// that leave (they serve the new epoch's state). A member of both is where
// the new configuration says: a member moved to a new address (vr
// reconfigure --move) is in the previous one at its old address, and
// learning both made peers dial it at either in turn. A StartEpoch of an
// epoch older than the replica's own teaches nothing: its addresses may
// have changed since.
func (n *Node) learnFrom(m message.Message) {
	se, ok := m.(*message.StartEpoch)
	if !ok {
		return
	}
	n.checkRole(se)
	if se.Epoch < n.last.Epoch {
		return
	}
	for _, mem := range se.Prev {
		if !slices.ContainsFunc(se.Members, func(x message.Member) bool { return x.ID == mem.ID }) {
			n.learn(mem.ID, mem.Addr)
		}
	}
	for _, mem := range se.Members {
		n.learn(mem.ID, mem.Addr)
	}
}

// configMembers is the replica's configuration in wire form with every
// member's address: the configuration's own, or the book's (epoch 0's
// configuration carries none).
func (n *Node) configMembers(info core.Info) []message.Member {
	ms := info.Members.Wire()
	for i := range ms {
		if ms[i].Addr == "" {
			ms[i].Addr = n.book[ms[i].ID]
		}
	}
	return ms
}
