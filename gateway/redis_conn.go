package gateway

import (
	"net"
	"strconv"
	"sync/atomic"

	"github.com/tidwall/redcon"
)

// connState is what a Redis connection carries between commands.
type connState struct {
	id    uint64
	proto int    // 2 or 3 (HELLO)
	name  string // CLIENT SETNAME
	stale bool   // READONLY: reads from any replica
}

// request is one command being answered.
type request struct {
	srv   *RedisServer
	conn  redcon.Conn
	state *connState
	name  string   // lower case
	args  [][]byte // after the command name
}

// null writes a null reply: RESP3's null, or RESP2's null bulk string.
func (r *request) null() {
	if r.state.proto == 3 {
		r.conn.WriteRaw([]byte("_\r\n"))
		return
	}
	r.conn.WriteNull()
}

// mapHeader starts a map of n pairs: RESP3's map, or a RESP2 array of 2n.
func (r *request) mapHeader(n int) {
	if r.state.proto == 3 {
		r.conn.WriteRaw([]byte("%" + strconv.Itoa(n) + "\r\n"))
		return
	}
	r.conn.WriteArray(2 * n)
}

// limitListener hands out connections that refuse a request larger than
// max bytes: redcon buffers a request until it is complete, whatever its
// size, so without this one client could make the gateway buffer any
// amount of memory.
type limitListener struct {
	net.Listener
	max int
}

// Accept wraps the accepted connection.
func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &limitConn{Conn: c, max: int64(l.max)}, nil
}

// limitConn counts the bytes read since the last complete command. It is
// read only by its connection's goroutine, which also runs the commands.
// One read takes at most max/2 bytes, so a connection buffers at most
// 1.5 × max before it is refused: a read that starts under max may
// complete a request of up to 1.5 × max (which the store's own limits then
// refuse), and any read that starts over max fails.
type limitConn struct {
	net.Conn
	max     int64
	pending atomic.Int64
}

// Read fails once a request grew beyond max, after telling the client.
func (c *limitConn) Read(p []byte) (int, error) {
	if c.pending.Load() > c.max {
		return 0, c.refuse()
	}
	if chunk := max(c.max/2, 4096); int64(len(p)) > chunk {
		p = p[:chunk]
	}
	n, err := c.Conn.Read(p)
	if c.pending.Add(int64(n)) > c.max+c.max/2 {
		return 0, c.refuse()
	}
	return n, err
}

// refuse tells the client its request is too large; the connection then
// closes.
func (c *limitConn) refuse() error {
	_, _ = c.Conn.Write([]byte("-ERR request too large: more than " + strconv.FormatInt(c.max, 10) + " bytes\r\n"))
	return ErrTooLarge
}

// commandRead restarts the count: a complete command was parsed.
func (c *limitConn) commandRead() { c.pending.Store(0) }
