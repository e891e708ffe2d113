package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/vr-go/vr/auth"
)

// handshake runs the TLS handshake of an accepted connection within
// HandshakeTimeout and returns the connection to read and the peer's
// identity. Without TLS it returns raw and a nil identity.
func (t *Transport) handshake(raw net.Conn) (net.Conn, *auth.Identity, error) {
	if t.cfg.TLS == nil {
		return raw, nil, nil
	}
	tc := tls.Server(raw, t.serverTLS)
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, err
	}
	// ServerConfig verified the chain and the identity; only parse it.
	id, err := auth.PeerIdentity(tc.ConnectionState())
	if err != nil {
		return nil, nil, err
	}
	return tc, &id, nil
}

// handshakeFailed counts a failed inbound handshake and logs it in one
// line (rate-limited per source and reason). A connection closed before
// or during the handshake (a TCP health check, a client closing a
// connection it never used) is only logged at debug level.
func (t *Transport) handshakeFailed(raw net.Conn, err error) {
	// Log, then count: whoever sees the counter also sees the line.
	defer t.stats.handshakeFailures.Add(1)
	reason, detail := handshakeReason(err)
	if reason == reasonClosed {
		t.log.Debug("transport: connection closed during the TLS handshake", "remote", raw.RemoteAddr().String(), "err", detail)
		return
	}
	t.logLimited(raw, reason, "transport: TLS handshake refused",
		slog.String("reason", reason), slog.String("err", detail))
}

// reasonClosed is the reason of a handshake the remote abandoned.
const reasonClosed = "closed during the handshake"

// handshakeReason classifies a failed server handshake for the log.
func handshakeReason(err error) (reason, detail string) {
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &rec):
		return "not TLS (a plaintext client?)", err.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "no handshake within the deadline", err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return reasonClosed, err.Error()
	case errors.Is(err, auth.ErrRejected):
		return "certificate rejected", err.Error()
	}
	return "handshake failed", err.Error()
}

// bind checks a frame's sender against the connection's certificate: a
// replica's certificate may only send as that replica, and only a client
// certificate may send client requests. Without TLS (id nil) the sender
// is whatever the first frame declared (see identify).
func bind(id *auth.Identity, from int) error {
	switch {
	case id == nil:
		return nil
	case from >= 0 && !id.IsReplica():
		return protocolErrorf("a client certificate (%s) sent a replica message as replica %d", id, from)
	case from >= 0 && id.Replica != from:
		return protocolErrorf("frame from replica %d on the connection of %s", from, id)
	case from < 0 && id.IsReplica():
		return protocolErrorf("a replica certificate (%s) sent a client request", id)
	}
	return nil
}

// roleOf is what a client on a connection with identity id may do.
func roleOf(id *auth.Identity) auth.Role {
	if id == nil {
		return auth.RoleAdmin // plaintext: no authentication (--insecure)
	}
	return id.Role
}
