package node

import (
	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/message"
)

// refuseReconfig checks the admin credential of a RECONFIGURATION before
// the protocol sees it, and reports whether it refused the request. A
// valid request's payload ends with a MAC of the cluster's admin secret
// (auth.SealAdmin); the node verifies it, strips it and passes the bare
// RECONFIGURATION on. Anything else (no MAC, a wrong one, or no secret on
// this replica) is answered StatusRefused, RefuseUnauthorized, and changes
// nothing: every replica checks the requests it receives, so a broadcast
// reaches no core either.
func (n *Node) refuseReconfig(in Inbound) bool {
	req, ok := in.Msg.(*message.Request)
	if !ok || in.From >= 0 || req.Kind != message.KindReconfigure {
		return false
	}
	if payload, ok := auth.OpenAdmin(n.cfg.AdminSecret, n.cfg.ClusterID, req.ClientID, req.RequestNum, req.Payload); ok {
		req.Payload = payload
		n.log.Info("reconfiguration request with a valid admin credential", "client", req.ClientID, "request", req.RequestNum)
		return false
	}
	n.forbidden.Add(1)
	n.log.Warn("refused a reconfiguration: no valid admin credential",
		"client", req.ClientID, "request", req.RequestNum, "replica_has_secret", len(n.cfg.AdminSecret) > 0)
	if in.Client != nil {
		in.Client.Send(&message.Reply{Epoch: n.last.Epoch, View: n.last.View, ClientID: req.ClientID, RequestNum: req.RequestNum,
			Replica: uint8(n.cfg.Index), Status: message.StatusRefused, Result: []byte{byte(message.RefuseUnauthorized)}})
	}
	return true
}
