package transport

import "sync/atomic"

// Stats is a snapshot of a Transport's counters since New.
type Stats struct {
	// Sent counts messages written to a socket (peers and clients).
	Sent uint64
	// Direct counts the messages of Sent that the sender wrote on the
	// connection itself, its writer idle (see direct); DirectTails those
	// of them the socket took only in part, the writer writing the rest.
	Direct, DirectTails uint64
	// SlowClients counts client connections closed because their
	// replies filled the queue (Config.MaxReplyBytes or QueueSize): the
	// client did not read them.
	SlowClients uint64
	// Received counts inbound messages delivered to the Receive channel
	// (not the Lost notices: LostPeers counts those).
	Received uint64
	// LostPeers counts Inbound{Lost} notices delivered: a replica's
	// connection that ended while this transport was open.
	LostPeers uint64
	// DroppedOut counts outbound messages lost: refused by Send (full
	// queue, invalid destination, closed transport), refused by the
	// encoder, or lost with a batch whose write failed.
	DroppedOut uint64
	// DroppedIn counts valid inbound messages dropped because the Receive
	// channel was full.
	DroppedIn uint64
	// BadFrames counts inbound connections closed for a protocol
	// violation: undecodable or oversized frames, checksum mismatches,
	// truncated frames, a wrong cluster or an unacceptable sender or
	// message.
	BadFrames uint64
	// Reconnects counts outbound connections established to a peer after
	// an earlier connection of the same lane to that peer ended, for any
	// reason.
	Reconnects uint64
	// DialErrors counts failed outbound dial attempts (TLS handshakes
	// included).
	DialErrors uint64
	// RefusedConns counts inbound connections closed at accept for a
	// connection limit (MaxConns, MaxConnsPerIP).
	RefusedConns uint64
	// HandshakeFailures counts inbound connections whose TLS handshake
	// failed: no or a rejected certificate, plaintext, or the handshake
	// deadline.
	HandshakeFailures uint64
}

// counters holds the live counters behind Stats.
type counters struct {
	sent, received, droppedOut, droppedIn atomic.Uint64
	badFrames, reconnects, dialErrors     atomic.Uint64
	refusedConns, handshakeFailures       atomic.Uint64
	lostPeers                             atomic.Uint64
	direct, directTails, slowClients      atomic.Uint64
}

// snapshot reads every counter.
func (c *counters) snapshot() Stats {
	return Stats{
		Sent:        c.sent.Load(),
		Direct:      c.direct.Load(),
		DirectTails: c.directTails.Load(),
		SlowClients: c.slowClients.Load(),
		Received:    c.received.Load(),
		LostPeers:   c.lostPeers.Load(),
		DroppedOut:  c.droppedOut.Load(),
		DroppedIn:   c.droppedIn.Load(),
		BadFrames:   c.badFrames.Load(),
		Reconnects:  c.reconnects.Load(),
		DialErrors:  c.dialErrors.Load(),

		RefusedConns:      c.refusedConns.Load(),
		HandshakeFailures: c.handshakeFailures.Load(),
	}
}

// PeerStats is a snapshot of the traffic on the link with one other
// replica since New.
type PeerStats struct {
	Peer int
	// Sent and SentBytes count messages (and their frame bytes) written
	// to the peer; DroppedOut those lost on the way out.
	Sent, SentBytes, DroppedOut uint64
	// Received and ReceivedBytes count valid messages (and their frame
	// bytes) that arrived from the peer.
	Received, ReceivedBytes uint64
}

// linkCounters holds the live counters behind one PeerStats.
type linkCounters struct {
	sent, sentBytes, droppedOut, received, receivedBytes atomic.Uint64
}

// dropOut counts n outbound messages lost, on link too when it is a
// replica link (link is nil for client connections).
func (c *counters) dropOut(link *linkCounters, n uint64) {
	c.droppedOut.Add(n)
	if link != nil {
		link.droppedOut.Add(n)
	}
}

// PeerStats returns the traffic counters of every link with another
// replica, in replica order.
func (t *Transport) PeerStats() []PeerStats {
	var out []PeerStats
	for i := range t.links {
		if i == t.cfg.Self || t.peers[i].Load() == nil && t.links[i].received.Load() == 0 {
			continue // not a peer: no address and nothing received
		}
		l := &t.links[i]
		out = append(out, PeerStats{Peer: i, Sent: l.sent.Load(), SentBytes: l.sentBytes.Load(),
			DroppedOut: l.droppedOut.Load(), Received: l.received.Load(), ReceivedBytes: l.receivedBytes.Load()})
	}
	return out
}
