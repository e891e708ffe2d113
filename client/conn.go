package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/internal/sockio"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// readBufferSize is the read buffer of a connection's replies.
const readBufferSize = 32 << 10

// conn is the client's one TCP connection to one replica, shared by every
// session. A lost connection is re-dialled in the background; requests sent
// meanwhile are dropped, which VR tolerates (the proxy retries).
type conn struct {
	client *Client
	addr   string

	// refused is the latest TLS refusal by the replica (an alert), so
	// that a call that times out can say why (Client.withRefusal).
	refused atomic.Pointer[error]

	mu      sync.Mutex
	nc      net.Conn
	buf     []byte
	dialing bool
}

// send writes one request frame, or drops it if the replica is
// unreachable. It reports whether it wrote to a connection: a frame not
// written reaches no replica, while one written (even by a write that then
// failed) may have.
func (k *conn) send(req *message.Request) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.nc == nil {
		k.redialLocked()
		return false
	}
	var err error
	k.buf, err = wire.AppendFrame(k.buf[:0], k.client.cfg.ClusterID, wire.SenderClient, req)
	if err != nil {
		k.client.log.Warn("encode request", "err", err)
		return false
	}
	_ = k.nc.SetWriteDeadline(time.Now().Add(k.client.cfg.DialTimeout))
	if _, err := k.nc.Write(k.buf); err != nil {
		k.client.log.Debug("write failed", "err", err)
		k.closeLocked()
	}
	return true
}

// dial connects once, bounded by ctx and the dial timeout.
func (k *conn) dial(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, k.client.cfg.DialTimeout)
	defer cancel()
	nc, err := k.dialer().DialContext(ctx, "tcp", k.addr)
	if err != nil {
		return err
	}
	nc = sockio.Wrap(nc) // plain TCP: raw reads and writes; TLS stays as it is
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.client.isClosed() {
		nc.Close()
		return ErrClosed
	}
	if k.nc != nil {
		nc.Close()
		return nil
	}
	k.nc = nc
	k.client.wg.Add(1)
	go k.readLoop(nc)
	return nil
}

// dialer dials TCP, or TLS (handshake included) when the client has a TLS
// configuration.
func (k *conn) dialer() interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
} {
	if k.client.cfg.TLS != nil {
		return &tls.Dialer{Config: k.client.cfg.TLS}
	}
	return &net.Dialer{}
}

// redialLocked starts one background dial unless one is running.
func (k *conn) redialLocked() {
	if k.dialing || k.client.isClosed() {
		return
	}
	k.dialing = true
	k.client.wg.Add(1)
	go func() {
		defer k.client.wg.Done()
		err := k.dial(k.client.ctx)
		k.mu.Lock()
		k.dialing = false
		k.mu.Unlock()
		if err != nil {
			k.client.log.Debug("dial failed", "addr", k.addr, "err", err)
		}
	}()
}

func (k *conn) closeLocked() {
	if k.nc != nil {
		k.nc.Close()
		k.nc = nil
	}
}

// readLoop delivers replies until the connection fails.
func (k *conn) readLoop(nc net.Conn) {
	defer k.client.wg.Done()
	// Replies come in bursts (a primary answers a batch at once), and
	// wire.Reader reads a frame's header and body apart: the buffer makes
	// that one read per burst rather than two per reply.
	r := wire.NewReader(bufio.NewReaderSize(nc, readBufferSize), wire.DefaultLimits())
	for {
		h, m, err := r.Next()
		if err != nil {
			k.readFailed(err)
			break
		}
		if k.refused.Load() != nil {
			k.refused.Store(nil)
		}
		rep, ok := m.(*message.Reply)
		if !ok || h.Cluster != k.client.cfg.ClusterID {
			k.client.log.Warn("unexpected frame from replica", "type", h.Type.String())
			break
		}
		k.client.dispatch(rep)
	}
	k.mu.Lock()
	if k.nc == nc {
		k.closeLocked()
	}
	k.mu.Unlock()
}

// readFailed logs why a connection ended when the replica refused it: under
// TLS 1.3 a replica checks the client's certificate after the client's
// handshake returned, and refuses it with an alert on the connection.
func (k *conn) readFailed(err error) {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		k.refused.Store(&err)
		k.client.log.Warn("replica refused the TLS connection (is the client certificate of this cluster and signed by its CA?)",
			"addr", k.addr, "err", err)
	}
}

// withRefusal adds to err the latest TLS refusal by a replica, if any: a
// client whose certificate the cluster refuses otherwise only sees its
// calls time out.
func (c *Client) withRefusal(err error) error {
	for _, k := range c.allConns() {
		if r := k.refused.Load(); r != nil {
			return fmt.Errorf("%w (replica %s refused the TLS connection: %v)", err, k.addr, *r)
		}
	}
	return err
}

func (k *conn) close() {
	k.mu.Lock()
	k.closeLocked()
	k.mu.Unlock()
}
