// Package transport carries VR protocol messages between replicas, and
// between a replica and its clients, over real TCP connections.
//
// # Connections
//
// Every replica listens on one address and accepts both peer replicas and
// clients there. The Sender byte of the first frame on a connection says who
// is speaking: a replica index 0..n-1, or wire.SenderClient for a client.
// The sender must then stay the same for the life of the connection.
//
// Each ordered pair of replicas uses its own TCP connection: replica A dials
// B to send to B, and B dials A to send to A. A connection therefore carries
// frames in one direction only; the accepting side only reads from it. This
// costs two connections per pair but needs no handshake, no tie-breaking
// between simultaneous dials and no sharing of a socket between a reader
// and a writer of different owners.
//
// Outbound connections are dialled lazily, when there is something to send,
// and closed by the sender after a quiet period (half of IOTimeout), before
// the receiver's idle read deadline fires. A lost connection is re-dialled
// with exponential back-off and jitter between DialBackoffMin and
// DialBackoffMax.
//
// Client connections are bidirectional: the client writes Requests, and
// replies go back on the same connection through the ClientConn handed out
// with each Inbound request.
//
// # Flow control
//
// Nothing blocks the caller. Every outbound destination (peer or client) has
// a bounded queue; one writer goroutine per destination drains the whole
// queue into one reused buffer and writes it with a single Write call.
// Inbound messages go to a bounded channel (Receive); when it is full they
// are dropped. VR tolerates message loss, so every drop is only counted (see
// Stats).
//
// # Validation
//
// An inbound connection that sends anything the wire package rejects, a
// frame of another cluster, an invalid or changing sender, a message type the
// sender may not send, or a message whose own Replica field disagrees with
// the frame's sender is closed and logged at warn level. It never affects
// other connections.
package transport
