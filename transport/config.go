package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/wire"
)

// Default values of Config fields left zero.
const (
	DefaultQueueSize      = 4096
	DefaultIOTimeout      = 5 * time.Second
	DefaultDialBackoffMin = 50 * time.Millisecond
	DefaultDialBackoffMax = 2 * time.Second
	DefaultMaxConns       = 1024
	DefaultMaxConnsPerIP  = 256
	DefaultHandshake      = 5 * time.Second
	// DefaultMaxReplyBytes bounds the replies queued for one client
	// connection: several of the largest replies (a 1 MiB value, a
	// scan's page), far below what thousands of clients could pin at
	// QueueSize replies each.
	DefaultMaxReplyBytes = 16 << 20
	// DefaultMaxPeerQueueBytes bounds the messages queued on one lane to
	// one peer: two of the core's largest messages (32 MiB each), or
	// about a second of Prepares at 64 MB/s. A peer that is down or slow
	// gets the rest again by retransmission or state transfer.
	DefaultMaxPeerQueueBytes = 64 << 20
	// DefaultMaxDownPeerQueueBytes bounds the messages queued on one lane
	// to a peer that cannot be reached: enough for the view change and
	// recovery messages of a peer starting up, far below what seconds of
	// Prepares to a dead peer would pin.
	DefaultMaxDownPeerQueueBytes = 1 << 20
	// DefaultMaxInboundBytes bounds the bodies of large inbound frames
	// being read at once, over all connections: eight frames of the
	// core's largest message (32 MiB).
	DefaultMaxInboundBytes = 256 << 20
	// inboundFree is the body size up to which a frame is read without
	// counting against MaxInboundBytes (a Reader grows its buffer by that
	// much ahead of the data anyway).
	inboundFree = 64 << 10
	// maxTotalReplyFactor times MaxReplyBytes bounds the replies queued
	// for all client connections together.
	maxTotalReplyFactor = 16

	// clientIdleFactor multiplies IOTimeout to give the idle read deadline
	// of client connections, which have no heartbeat.
	clientIdleFactor = 10
	// maxReplicas is the largest cluster: sender bytes 0..254 name
	// replicas and 255 is wire.SenderClient.
	maxReplicas = int(wire.SenderClient)
)

// ErrConfig is wrapped by every error New returns for an invalid Config.
var ErrConfig = errors.New("transport: invalid config")

// Config configures a Transport. Zero fields take the documented defaults.
type Config struct {
	// ClusterID is carried by every frame; frames of another cluster are
	// rejected.
	ClusterID uint64
	// Self is this replica's index in Peers.
	Self int
	// Peers holds the host:port of every replica, indexed by replica
	// id; "" for an id whose address is not known yet (SetPeer adds it).
	// Peers[Self] is our own advertised address.
	Peers []string
	// Listen is the address to listen on. Default Peers[Self].
	Listen string
	// QueueSize bounds, in messages, the outbound queue of each lane of
	// each peer (two per peer, see message.Lane) and of each client
	// connection, and the Receive channel. Default 4096.
	QueueSize int
	// MaxReplyBytes bounds, in bytes of encoded replies, what may be
	// queued for one client connection (a reply is always accepted into
	// an empty queue). A reply beyond it means the client is not reading
	// what it asked for: the connection is closed and the client must
	// reconnect (its requests' outcomes unknown to it, as after any
	// disconnection). The replies queued or being written for all clients
	// together are bounded by 16 × MaxReplyBytes likewise: the client
	// whose reply would pass that is disconnected. Default DefaultMaxReplyBytes.
	MaxReplyBytes int
	// MaxPeerQueueBytes bounds, in encoded bytes, the messages queued on
	// each lane to each peer (a message is always accepted into an empty
	// queue); a message beyond it is dropped, as the protocol allows:
	// the peer gets what it misses by retransmission or state transfer.
	// Without it a peer that was down for seconds held QueueSize (4,096)
	// Prepares per lane in the sender's memory, hundreds of megabytes at
	// 1 KiB values, all sent to it when it came back. Default
	// DefaultMaxPeerQueueBytes.
	MaxPeerQueueBytes int
	// MaxDownPeerQueueBytes bounds, in encoded bytes, the messages queued
	// on each lane to a peer whose last dial failed: the failure drops
	// the oldest queued messages beyond it, and until a dial succeeds a
	// message beyond it is dropped (a message is always accepted into an
	// empty queue). A dead peer then costs the sender this much, not
	// MaxPeerQueueBytes per lane of Prepares it could never deliver and
	// that a restarted peer would receive only to discard. Default
	// DefaultMaxDownPeerQueueBytes, or MaxPeerQueueBytes if that is
	// smaller.
	MaxDownPeerQueueBytes int
	// MaxInboundBytes bounds the bodies of inbound frames larger than 64
	// KiB being read at once, over all connections together: a frame
	// whose header announces more than the room left closes its
	// connection before its body is read (counted as a bad frame), so
	// that connections announcing large frames and sending them slowly
	// cannot take the replica's memory. Each frame is also checked, from
	// its header, against what its sender may send: a client only
	// Requests of at most Limits.MaxPayload of payload. Default
	// DefaultMaxInboundBytes.
	MaxInboundBytes int
	// IOTimeout is the write deadline of each batch and the idle read
	// deadline of peer connections (client connections get ten times
	// more). Default 5s.
	IOTimeout time.Duration
	// DialBackoffMin and DialBackoffMax bound the jittered exponential
	// back-off between dial attempts. Defaults 50ms and 2s.
	DialBackoffMin, DialBackoffMax time.Duration
	// MaxConns bounds the number of inbound connections (peers and
	// clients together; every peer replica opens two, one per lane).
	// Default 1024.
	MaxConns int
	// MaxConnsPerIP bounds the inbound connections from one source IP
	// address, so that one host cannot take every slot. A host running k
	// peer replicas needs 2k of them. Default 256.
	MaxConnsPerIP int
	// TLS, if set, puts every connection under mutual TLS 1.3 with the
	// identities of package auth: an inbound connection must present a
	// certificate of this cluster, a replica's frames must come from the
	// certificate of the replica they name, and a peer must present the
	// certificate of the replica we dial. Nil: plaintext, every client
	// has auth.RoleAdmin.
	TLS *auth.Source
	// HandshakeTimeout bounds an inbound TLS handshake, counted from the
	// accept: a connection that sends nothing is dropped after it. It
	// also bounds the TLS handshake of outbound dials. Default 5s.
	HandshakeTimeout time.Duration
	// Limits bounds what inbound frames may contain. Zero fields take the
	// defaults of wire.DefaultLimits.
	Limits wire.Limits
	// Logger receives connection events. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Listen == "" && c.Self >= 0 && c.Self < len(c.Peers) {
		c.Listen = c.Peers[c.Self]
	}
	c.QueueSize = orDefault(c.QueueSize, DefaultQueueSize)
	c.IOTimeout = orDefault(c.IOTimeout, DefaultIOTimeout)
	c.DialBackoffMin = orDefault(c.DialBackoffMin, DefaultDialBackoffMin)
	c.DialBackoffMax = orDefault(c.DialBackoffMax, DefaultDialBackoffMax)
	c.MaxConns = orDefault(c.MaxConns, DefaultMaxConns)
	c.MaxConnsPerIP = orDefault(c.MaxConnsPerIP, DefaultMaxConnsPerIP)
	c.HandshakeTimeout = orDefault(c.HandshakeTimeout, DefaultHandshake)
	c.MaxReplyBytes = orDefault(c.MaxReplyBytes, DefaultMaxReplyBytes)
	c.MaxPeerQueueBytes = orDefault(c.MaxPeerQueueBytes, DefaultMaxPeerQueueBytes)
	c.MaxDownPeerQueueBytes = min(orDefault(c.MaxDownPeerQueueBytes, DefaultMaxDownPeerQueueBytes), c.MaxPeerQueueBytes)
	c.MaxInboundBytes = orDefault(c.MaxInboundBytes, DefaultMaxInboundBytes)
	d := wire.DefaultLimits()
	c.Limits.MaxBody = orDefault(c.Limits.MaxBody, d.MaxBody)
	c.Limits.MaxEntries = orDefault(c.Limits.MaxEntries, d.MaxEntries)
	c.Limits.MaxPayload = orDefault(c.Limits.MaxPayload, d.MaxPayload)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// orDefault returns def if v is zero, else v.
func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// validate reports the first problem of a defaulted config.
func (c Config) validate() error {
	n := len(c.Peers)
	switch {
	case n == 0:
		return fmt.Errorf("%w: no peers", ErrConfig)
	case n > maxReplicas:
		return fmt.Errorf("%w: %d peers, at most %d", ErrConfig, n, maxReplicas)
	case c.Self < 0 || c.Self >= n:
		return fmt.Errorf("%w: self index %d out of range [0,%d)", ErrConfig, c.Self, n)
	case c.QueueSize < 0, c.MaxConns < 0, c.MaxConnsPerIP < 0, c.MaxReplyBytes < 0, c.MaxInboundBytes < 0, c.MaxPeerQueueBytes < 0, c.MaxDownPeerQueueBytes < 0:
		return fmt.Errorf("%w: negative queue size or connection limit", ErrConfig)
	case c.IOTimeout < 0, c.DialBackoffMin < 0, c.DialBackoffMax < 0, c.HandshakeTimeout < 0:
		return fmt.Errorf("%w: negative duration", ErrConfig)
	case c.DialBackoffMin > c.DialBackoffMax:
		return fmt.Errorf("%w: dial back-off min %v above max %v", ErrConfig, c.DialBackoffMin, c.DialBackoffMax)
	case c.Limits.MaxBody < 0, c.Limits.MaxEntries < 0, c.Limits.MaxPayload < 0:
		return fmt.Errorf("%w: negative limit", ErrConfig)
	}
	return c.validateAddrs()
}

// validateAddrs checks every address and that peer addresses are distinct.
func (c Config) validateAddrs() error {
	seen := make(map[string]int, len(c.Peers))
	for i, a := range c.Peers {
		if a == "" && (i != c.Self || c.Listen != "") {
			continue // an id without a known address
		}
		// Our own advertised address may use port 0: we never dial it.
		if err := checkAddr(a, i == c.Self); err != nil {
			return fmt.Errorf("%w: peer %d address %q: %w", ErrConfig, i, a, err)
		}
		if j, dup := seen[a]; dup {
			return fmt.Errorf("%w: peers %d and %d share address %q", ErrConfig, j, i, a)
		}
		seen[a] = i
	}
	if err := checkAddr(c.Listen, true); err != nil {
		return fmt.Errorf("%w: listen address %q: %w", ErrConfig, c.Listen, err)
	}
	return nil
}

// checkAddr checks that a is host:port with a numeric port in range.
func checkAddr(a string, portZeroOK bool) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return fmt.Errorf("port %q is not a number in [0,65535]", port)
	}
	if p == 0 && !portZeroOK {
		return errors.New("port 0 cannot be dialled")
	}
	return nil
}
