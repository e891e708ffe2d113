package node

import (
	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/transport"
)

// ReadOnlyChecker is implemented by a state machine that can tell from a
// command's bytes that it only reads (kv.Store does). Clients with
// auth.RoleRead may send only such commands; for a state machine without
// it, every command needs auth.RoleWrite.
type ReadOnlyChecker interface {
	ReadOnly(cmd []byte) bool
}

// RequiredRole is the role a client needs for req on a replica of sm:
// read for a session registration (reads need a session) and for the
// commands sm says only read, whatever the request's kind (a read request
// may go through the log, where Apply would execute a write); write for
// every other command; admin for a RECONFIGURATION (which, besides,
// must carry a MAC of the admin secret: admin.go).
func RequiredRole(req *message.Request, sm core.StateMachine) auth.Role {
	switch req.Kind {
	case message.KindRegister, message.KindConfig:
		return auth.RoleRead
	case message.KindReconfigure:
		return auth.RoleAdmin
	}
	if ro, ok := sm.(ReadOnlyChecker); ok && ro.ReadOnly(req.Payload) {
		return auth.RoleRead
	}
	return auth.RoleWrite
}

// refuse answers a client request that its role does not allow with
// StatusForbidden, before the protocol sees it, and reports whether it
// did. Requests refused this way change nothing on any replica: each
// replica checks the requests it receives (a client may broadcast).
func (n *Node) refuse(in transport.Inbound) bool {
	req, ok := in.Msg.(*message.Request)
	if !ok || in.From >= 0 {
		return false
	}
	need := RequiredRole(req, n.sm)
	if in.Role.Allows(need) {
		return false
	}
	n.forbidden.Add(1)
	n.log.Debug("refused a request: the client's role does not allow it",
		"client", req.ClientID, "request", req.RequestNum, "role", in.Role.String(), "needs", need.String())
	if in.Client != nil {
		in.Client.Send(&message.Reply{View: n.last.View, ClientID: req.ClientID, RequestNum: req.RequestNum,
			Replica: uint8(n.cfg.Index), Status: message.StatusForbidden})
	}
	return true
}
