// Package netproxy is a user-space TCP proxy for fault injection in tests:
// each Proxy listens on a loopback address, forwards every connection it
// accepts to one loopback target, and can cut, blackhole or slow the bytes
// it carries until it is healed. A Mesh puts one Proxy on every directed
// link of a cluster of `vr server` processes, and one in front of every
// replica for clients, so that a test can partition real processes.
//
// # Directions and the transport
//
// Forward is the direction from the side that dialled the proxy to the
// target; Backward is the way back. What flows which way depends on the
// protocol spoken through the proxy, so it matters how package transport
// uses its connections:
//
//   - Between replicas every ordered pair has its own TCP connections (two:
//     a control lane and a bulk lane, see message.Lane): replica i dials j
//     to send to j, and j only reads from those connections (it never
//     writes; i reads from them only to notice a close).
//     So all of i's messages to j are Forward bytes on connections that i
//     opened, and j's messages to i travel on other connections, opened by
//     j. A Mesh gives replica i a --cluster list that names, for each peer
//     j, the proxy of the directed link (i→j), whose target is j's real
//     listen address (--listen keeps replica i on its own real address).
//     Cutting or blackholing the Proxy of (i→j) therefore silences i→j and
//     leaves j→i alone: the two directions of a pair fail independently.
//     Backward on such a link carries no bytes; a Backward blackhole there
//     changes nothing.
//   - A client's connection is bidirectional: requests go Forward, replies
//     come Backward on the same connection. Blackholing one Direction of a
//     client Proxy drops requests but passes replies, or the reverse.
//
// # Faults
//
//   - Pass: bytes flow both ways as soon as they are read.
//   - Cut: like a firewall that rejects. Every open connection is reset
//     (closed with SO_LINGER 0, so the other ends see ECONNRESET rather
//     than a clean end) and each new connection is accepted and reset at
//     once, without dialling the target. Senders notice quickly and
//     re-dial, and keep failing until Heal.
//   - Blackhole(d): like a firewall that drops. Connections are accepted
//     and stay open, but every byte read in direction d is discarded.
//     Writers see success; readers see silence until their own timeouts
//     fire. A connection that lost bytes can never be trusted again (a
//     frame may be half delivered), so when d leaves the blackhole (Heal,
//     or SetBlackhole false) every connection that lost bytes in d is
//     reset: as after a real partition that outlived TCP's retransmission,
//     the endpoints must reconnect.
//   - Delay(d, x): a slow link. Each chunk read in direction d is written
//     x after it was read, in order: added latency, not reduced bandwidth.
//     x is at most MaxDelay, and each direction of a connection holds at
//     most maxQueued chunks (reading stops while it is full), so a slow
//     link costs bounded memory.
//
// The state (cut, blackholes, delays) belongs to the Proxy and applies to
// every connection through it: a byte is judged by the state when it is
// read. Heal returns to Pass. Only loopback addresses are accepted, both
// to listen on and as targets.
//
// # What it cannot do
//
// It works on byte streams, not packets: it cannot reorder or duplicate
// messages, or drop single frames while keeping the stream intact (TCP
// never does either). Close propagates: when one side of a connection ends,
// the bytes already read are delivered and then both sides are closed;
// half-closed connections are not kept (neither transport nor client uses
// them).
package netproxy
