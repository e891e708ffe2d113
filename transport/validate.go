package transport

import (
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// checkFrame checks a decoded frame against the cluster and sender rules.
// It returns the sender as a replica index, or -1 for a client.
func (t *Transport) checkFrame(h wire.Header, m message.Message) (int, error) {
	if h.Cluster != t.cfg.ClusterID {
		return 0, protocolErrorf("cluster id %d, want %d", h.Cluster, t.cfg.ClusterID)
	}
	if m == nil || m.Type() != h.Type {
		return 0, protocolErrorf("frame type %v carries %s", h.Type, typeName(m))
	}
	if h.Sender == wire.SenderClient {
		if _, ok := m.(*message.Request); !ok {
			return 0, protocolErrorf("client sent %v", h.Type)
		}
		return -1, nil
	}
	from := int(h.Sender)
	if from >= len(t.cfg.Peers) || from == t.cfg.Self {
		return 0, protocolErrorf("sender %d is not a peer of replica %d of %d", from, t.cfg.Self, len(t.cfg.Peers))
	}
	if !peerMessage(m) {
		return 0, protocolErrorf("replica %d sent %v", from, h.Type)
	}
	if r, ok := replicaField(m); ok && int(r) != from {
		return 0, protocolErrorf("%v from replica %d claims replica %d", h.Type, from, r)
	}
	return from, nil
}

// peerMessage reports whether replicas may send m to each other: anything
// but the client-facing Request and Reply.
func peerMessage(m message.Message) bool {
	switch m.(type) {
	case *message.Request, *message.Reply:
		return false
	}
	return true
}

// replicaField returns the Replica field of the message types that name
// their sender.
func replicaField(m message.Message) (uint8, bool) {
	switch v := m.(type) {
	case *message.PrepareOK:
		return v.Replica, true
	case *message.StartViewChange:
		return v.Replica, true
	case *message.DoViewChange:
		return v.Replica, true
	case *message.Recovery:
		return v.Replica, true
	case *message.RecoveryResponse:
		return v.Replica, true
	case *message.GetState:
		return v.Replica, true
	case *message.NewState:
		return v.Replica, true
	}
	return 0, false
}
