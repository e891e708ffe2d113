package transport

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// direct lets a sender write a frame on a connection itself, when the
// connection's writer goroutine is idle and nothing is queued, instead of
// queueing it and waking the writer: on a replica's loop that saves a
// goroutine hand-off (a futex wake and a scheduling round on a busy
// machine) per message sent (docs/benchmarks.md, seventh session). The
// sender never blocks: it makes one non-blocking write, and whatever the
// socket does not take becomes the tail, which the writer writes before
// anything queued later. Only plain TCP connections take direct writes
// (a TLS connection's Write may block).
type direct struct {
	// mu is held by whoever writes on the connection: the writer for a
	// whole batch, a sender for its one attempt (TryLock: a sender never
	// waits for it). It also guards the batchWriter's buffer.
	mu   sync.Mutex
	conn net.Conn        // the connection being served; nil while none
	raw  syscall.RawConn // conn's socket; nil: no direct writes
	tail []byte          // what the socket did not take of a direct write
	// used records a direct write since the writer last checked, so that
	// a connection in use is not closed as idle.
	used atomic.Bool
}

// attach makes c the connection direct writes go to (the writer, when it
// starts serving c).
func (d *direct) attach(c net.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conn, d.raw, d.tail = c, rawConn(c), d.tail[:0]
	d.used.Store(false)
}

// detach stops direct writes to the connection (the writer, when it stops
// serving it). A tail not yet written is lost with the connection.
func (d *direct) detach() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conn, d.raw, d.tail = nil, nil, nil
}

// rawConn returns c's socket if c is a plain TCP connection, else nil.
func rawConn(c net.Conn) syscall.RawConn {
	sc, ok := c.(syscall.Conn) // a TCP connection, wrapped by sockio or not; not TLS
	if !ok || !directWrites {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// writeTail writes the tail of a direct write, blocking under w's
// deadline; the caller holds d.mu.
func (d *direct) writeTail(w *batchWriter) error {
	if len(d.tail) == 0 {
		return nil
	}
	err := d.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	if err == nil {
		_, err = d.conn.Write(d.tail)
	}
	d.tail = d.tail[:0]
	return err
}

// try writes m directly on the connection if no one is writing on it
// and pending reports nothing queued; it reports whether m was taken
// (written, partly written with the rest left as the tail for wake's
// writer, or dropped because the connection broke). False means m must be
// queued.
func (d *direct) try(w *batchWriter, m message.Message, pending func() bool, wake func()) bool {
	if !d.mu.TryLock() {
		return false
	}
	defer d.mu.Unlock()
	if d.raw == nil || len(d.tail) > 0 || pending() {
		return false
	}
	buf, err := wire.AppendFrame(w.buf[:0], w.cluster, w.sender, m)
	if err != nil {
		return false // the writer logs and drops it
	}
	defer w.retain(buf)
	n, tried, err := writeNonblocking(d.raw, buf)
	if !tried {
		// The writer's last deadline passed; a direct write needs none
		// (the writer sets its own before each of its writes).
		if d.conn.SetWriteDeadline(time.Time{}) != nil {
			return false
		}
		if n, tried, err = writeNonblocking(d.raw, buf); !tried {
			return false
		}
	}
	if err != nil && !errors.Is(err, syscall.EAGAIN) {
		_ = d.conn.Close() // the writer and the reader see it end
		w.stats.dropOut(w.link, 1)
		return true
	}
	if n < len(buf) {
		d.tail = append(d.tail[:0], buf[n:]...)
		w.stats.directTails.Add(1)
		wake()
	}
	w.stats.direct.Add(1)
	d.used.Store(true)
	w.counted(1, len(buf))
	return true
}
