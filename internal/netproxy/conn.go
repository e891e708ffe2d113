package netproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// chunkSize is the most one read takes from a connection.
	chunkSize = 32 << 10
	// maxQueued bounds the chunks waiting (for their delay, or for a slow
	// reader) in one direction of one connection; reading stops while
	// the queue is full.
	maxQueued = 256
)

// pair is one proxied connection: the side that dialled the proxy (down)
// and the proxy's own connection to the target (up).
type pair struct {
	p    *Proxy
	down net.Conn
	done chan struct{} // closed when the pair is closed or reset
	once sync.Once
	lost [2]atomic.Bool // bytes were discarded, by Direction

	mu sync.Mutex
	up net.Conn // nil until the target answered
}

// chunk is bytes read from one side, to be written to the other at due.
type chunk struct {
	data []byte
	due  time.Time
}

func newPair(p *Proxy, down net.Conn) *pair {
	return &pair{p: p, down: down, done: make(chan struct{})}
}

// serve dials the target for c and carries bytes both ways until either
// side ends or c is reset.
func (p *Proxy) serve(c *pair) {
	defer p.forget(c)
	d := net.Dialer{Timeout: p.cfg.DialTimeout}
	up, err := d.DialContext(p.ctx, "tcp", p.cfg.Target)
	if err != nil {
		p.refused.Add(1)
		p.log.Debug("netproxy: target did not answer", "err", err)
		c.reset()
		return
	}
	if !c.attach(up) {
		return
	}
	p.accepted.Add(1)
	var wg sync.WaitGroup
	wg.Go(func() { c.pump(Forward, c.down, up) })
	wg.Go(func() { c.pump(Backward, up, c.down) })
	wg.Wait()
}

// attach sets the connection to the target, or closes it and returns false
// if c was reset while dialling.
func (c *pair) attach(up net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		resetConn(up)
		return false
	default:
		c.up = up
		return true
	}
}

// reset closes both sides so that each sees a reset.
func (c *pair) reset() { c.end(resetConn) }

// close closes both sides normally, after one side ended.
func (c *pair) close() { c.end(func(conn net.Conn) { _ = conn.Close() }) }

// end closes both sides with closer, once.
func (c *pair) end(closer func(net.Conn)) {
	c.once.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		close(c.done)
		closer(c.down)
		if c.up != nil {
			closer(c.up)
		}
	})
}

// pump carries direction d from src to dst: it reads here and writes in a
// goroutine of its own, so that a delay holds back the writes but not the
// reads. When src ends, what was read is delivered and then c is closed.
func (c *pair) pump(d Direction, src, dst net.Conn) {
	q := make(chan chunk, maxQueued)
	var wg sync.WaitGroup
	wg.Go(func() { c.deliver(d, dst, q) })
	buf := make([]byte, chunkSize)
	for {
		n, err := src.Read(buf)
		if n > 0 && !c.take(d, buf[:n], q) {
			break
		}
		if err != nil {
			break
		}
	}
	close(q)
	wg.Wait()
}

// take queues a copy of data for delivery, or discards it if direction d
// is blackholed. It returns false if c ended while the queue was full.
func (c *pair) take(d Direction, data []byte, q chan<- chunk) bool {
	st := c.p.state(d)
	if st.blackhole {
		c.lost[d].Store(true)
		c.p.dropped[d].Add(uint64(len(data)))
		return true
	}
	ch := chunk{data: append([]byte(nil), data...), due: time.Now().Add(st.delay)}
	select {
	case q <- ch:
		return true
	case <-c.done:
		return false
	}
}

// deliver writes the queued chunks to dst, each at its due time, until the
// queue is closed (then it closes c) or c ends.
func (c *pair) deliver(d Direction, dst net.Conn, q <-chan chunk) {
	for ch := range q {
		if !c.waitUntil(ch.due) {
			return
		}
		if _, err := dst.Write(ch.data); err != nil {
			c.reset()
			return
		}
		c.p.bytes[d].Add(uint64(len(ch.data)))
	}
	c.close()
}

// waitUntil waits until t; false if c ended first.
func (c *pair) waitUntil(t time.Time) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-c.done:
		return false
	}
}
