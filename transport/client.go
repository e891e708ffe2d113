package transport

import (
	"net"
	"sync"

	"github.com/vr-go/vr/message"
)

// ClientConn is the reply path to one client connection. It is handed out
// with every Inbound request from that connection and stays valid (Send
// just fails) after the connection ends.
type ClientConn struct {
	t    *Transport
	conn net.Conn
	q    *outQueue
	w    batchWriter
	done chan struct{} // closed by shutdown
	once sync.Once
	// direct takes replies while the writer is idle; its mutex guards w.
	direct direct
}

// newClientConn returns the reply path of an inbound client connection.
// Its writer goroutine is run by the caller.
func newClientConn(t *Transport, conn net.Conn) *ClientConn {
	c := &ClientConn{
		t:    t,
		conn: conn,
		q:    newOutQueue(t.cfg.QueueSize),
		w: batchWriter{
			stats:   &t.stats,
			log:     t.log,
			cluster: t.cfg.ClusterID,
			sender:  uint8(t.cfg.Self),
			timeout: t.cfg.IOTimeout,
		},
		done: make(chan struct{}),
	}
	c.q.maxBytes = t.cfg.MaxReplyBytes
	c.direct.attach(conn)
	return c
}

// Send queues m (normally a *message.Reply) for the client and reports
// whether it was accepted. It never blocks: it fails, counting the message
// as dropped, when the connection has ended or its queue is full (by
// count, or by MaxReplyBytes: then the client is not reading its replies,
// and the connection is closed).
func (c *ClientConn) Send(m message.Message) bool {
	if m == nil || c.ended() {
		c.t.stats.droppedOut.Add(1)
		return false
	}
	if c.direct.try(&c.w, m, c.q.pending, c.q.wake) {
		return true
	}
	size := message.Size(m)
	total := c.t.replyBytes.Add(int64(size))
	if total <= int64(c.t.cfg.MaxReplyBytes)*maxTotalReplyFactor && c.q.pushSized(m, size) {
		return true
	}
	c.t.replyBytes.Add(-int64(size))
	if c.ended() { // closed meanwhile, not slow
		c.t.stats.droppedOut.Add(1)
		return false
	}
	c.t.stats.droppedOut.Add(1)
	c.t.stats.slowClients.Add(1)
	c.t.logLimited(c.conn, "slow-client", "transport: closing a client connection that does not read its replies")
	_ = c.Close()
	return false
}

// ended reports whether shutdown ran.
func (c *ClientConn) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// RemoteAddr returns the client's address.
func (c *ClientConn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Close disconnects the client. Queued replies may be lost.
func (c *ClientConn) Close() error {
	c.shutdown()
	return c.conn.Close()
}

// shutdown refuses further replies and stops the writer.
func (c *ClientConn) shutdown() {
	c.once.Do(func() {
		n, bytes := c.q.close()
		c.t.stats.droppedOut.Add(uint64(n))
		c.t.replyBytes.Add(-int64(bytes))
		close(c.done)
	})
}

// run is the client's writer goroutine. A failed write closes the
// connection, which also ends its reader.
func (c *ClientConn) run() {
	var spare []message.Message
	for {
		select {
		case <-c.done:
			return
		case <-c.q.ready:
		}
		batch, err := c.writeNext(spare)
		spare = recycle(batch)
		if err != nil {
			c.t.log.Debug("transport: write to client failed", "remote", c.conn.RemoteAddr().String(), "err", err)
			_ = c.conn.Close()
			return
		}
	}
}

// writeNext writes the tail of a direct write, then everything queued,
// holding the direct lock so that no direct write comes between.
func (c *ClientConn) writeNext(spare []message.Message) ([]message.Message, error) {
	c.direct.mu.Lock()
	defer c.direct.mu.Unlock()
	batch, bytes := c.q.takeSized(spare)
	// The batch counts against the bound over all clients until it is
	// written: a writer blocked on a client that does not read holds it
	// (not counting it let every connection hold a batch of up to
	// MaxReplyBytes beyond the total bound).
	defer c.t.replyBytes.Add(-int64(bytes))
	if err := c.direct.writeTail(&c.w); err != nil {
		c.t.stats.dropOut(nil, uint64(len(batch)))
		return batch, err
	}
	return batch, c.w.write(c.conn, batch)
}
