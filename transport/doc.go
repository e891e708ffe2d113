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
// Each ordered pair of replicas uses its own TCP connections: replica A
// dials B to send to B, and B dials A to send to A. A connection therefore
// carries frames in one direction only; the accepting side only reads from
// it. This needs no handshake, no tie-breaking between simultaneous dials
// and no sharing of a socket between a reader and a writer of different
// owners.
//
// # Lanes
//
// A replica sends to each peer on two connections, one per lane
// (message.LaneOf): the control lane for heartbeats, acknowledgements,
// view-change votes and requests for state, the bulk lane for messages of
// many kilobytes (Prepares with large entries, logs, checkpoint chunks).
// Each lane has its own queue, writer goroutine, connection and dial
// back-off, and keeps its messages in order; the kernel shares the path
// between the two connections. So a Commit never waits behind megabytes
// of Prepares queued or in flight to the same peer, which on one
// connection made backups suspect a healthy primary (docs/protocol.md,
// "Lanes"). A priority queue in front of one connection would not do: a
// frame the writer already handed to the socket, and everything in the
// socket's send buffer, still go first. Messages of different lanes may
// arrive out of order, which VR tolerates. The receiving side does not
// tell the lanes apart: each inbound connection is validated on its own.
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
