package transport

import "sync/atomic"

// Stats is a snapshot of a Transport's counters since New.
type Stats struct {
	// Sent counts messages written to a socket (peers and clients).
	Sent uint64
	// Received counts inbound messages delivered to the Receive channel.
	Received uint64
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
	// an earlier connection to that peer ended, for any reason.
	Reconnects uint64
	// DialErrors counts failed outbound dial attempts.
	DialErrors uint64
}

// counters holds the live counters behind Stats.
type counters struct {
	sent, received, droppedOut, droppedIn atomic.Uint64
	badFrames, reconnects, dialErrors     atomic.Uint64
}

// snapshot reads every counter.
func (c *counters) snapshot() Stats {
	return Stats{
		Sent:       c.sent.Load(),
		Received:   c.received.Load(),
		DroppedOut: c.droppedOut.Load(),
		DroppedIn:  c.droppedIn.Load(),
		BadFrames:  c.badFrames.Load(),
		Reconnects: c.reconnects.Load(),
		DialErrors: c.dialErrors.Load(),
	}
}
