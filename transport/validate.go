package transport

import (
	"time"

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
		if h.Type.Route() != message.ClientToReplica {
			return 0, protocolErrorf("client sent %v", h.Type)
		}
		return -1, nil
	}
	from := int(h.Sender)
	// Any other id may send: a replica added by a reconfiguration talks
	// before this one learns its address (the core decides what to make
	// of a message from a non-member).
	if from >= maxReplicas || from == t.cfg.Self {
		return 0, protocolErrorf("sender %d is not a peer of replica %d", from, t.cfg.Self)
	}
	if !peerMessage(m) {
		return 0, protocolErrorf("replica %d sent %v", from, h.Type)
	}
	if r, ok := message.Sender(m); ok && int(r) != from {
		return 0, protocolErrorf("%v from replica %d claims replica %d", h.Type, from, r)
	}
	return from, nil
}

// checkHeader vets an inbound frame's header before its body is read:
// the cluster, what its sender's kind may send and how large (a client
// sends Requests whose payload is at most Limits.MaxPayload), and room
// for its body in the budget of large frames being read
// (MaxInboundBytes), waiting for it until deadline or stop; the release
// it returns gives that room back.
func (t *Transport) checkHeader(h wire.Header, deadline time.Time, stop <-chan struct{}) (func(), error) {
	if h.Cluster != t.cfg.ClusterID {
		return nil, protocolErrorf("cluster id %d, want %d", h.Cluster, t.cfg.ClusterID)
	}
	if h.Sender == wire.SenderClient {
		if h.Type.Route() != message.ClientToReplica {
			return nil, protocolErrorf("client sent %v", h.Type)
		}
		if limit := t.cfg.Limits.MaxPayload + message.MaxFixedSize; int(h.Length) > limit {
			return nil, protocolErrorf("client frame of %d bytes, limit %d", h.Length, limit)
		}
	} else if h.Type.Route() != message.ReplicaToReplica {
		return nil, protocolErrorf("replica %d sent %v", h.Sender, h.Type)
	}
	n := int64(h.Length)
	if n <= inboundFree {
		return nil, nil
	}
	if !t.inbound.acquire(n, deadline, stop) {
		return nil, protocolErrorf("no room for a frame of %d bytes among the large inbound frames being read (%d bytes at most)", n, t.cfg.MaxInboundBytes)
	}
	return func() { t.inbound.release(n) }, nil
}

// peerMessage reports whether replicas may send m to each other: any type
// package message routes between replicas, which leaves out the
// client-facing Request and Reply.
func peerMessage(m message.Message) bool {
	return m.Type().Route() == message.ReplicaToReplica
}
