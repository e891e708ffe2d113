package node

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// answerConfig answers a client's configuration query (KindConfig) itself,
// without the protocol, and reports whether in was one. The reply carries
// the replica's epoch and view, and in its Result the configuration with
// every member's address (a Reconfiguration encoding), so that a client
// that reaches any one replica learns the members, their addresses and
// the primary (docs/protocol.md, "Client discovery"). A replica that is
// not a member yet answers with no members; a retired one with the
// configuration that replaced it.
func (n *Node) answerConfig(in Inbound) bool {
	req, ok := in.Msg.(*message.Request)
	if !ok || in.From >= 0 || req.Kind != message.KindConfig {
		return false
	}
	if in.Client == nil {
		return true
	}
	info := n.replica.Info()
	c := message.Reconfiguration{Epoch: info.Epoch, Members: n.configMembers(info)}
	if err := message.CheckAddrs(c.Members); err != nil {
		panic(fmt.Sprintf("node: an address in the book is too long: %v", err)) // flags are checked, payloads decoded
	}
	in.Client.Send(&message.Reply{Epoch: info.Epoch, View: info.View, ClientID: req.ClientID, RequestNum: req.RequestNum,
		Replica: uint8(n.cfg.Index), Status: message.StatusOK, Result: c.Encode()})
	return true
}
