package sockio

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// Conn is a TCP connection whose Read and Write go through raw system
// calls (see the package comment). Every other method is the
// *net.TCPConn's.
type Conn struct {
	*net.TCPConn
	raw syscall.RawConn
	rd  call
	wr  call
}

// call is the state of one Read or Write, handed to the socket's RawConn
// as a bound method (no closure per call). Its mutex serialises the
// callers of one direction, as net.Conn's descriptor lock does.
type call struct {
	mu   sync.Mutex
	buf  []byte
	done int // bytes moved so far
	err  error
	fn   func(fd uintptr) bool
}

// run makes one Read (read) or Write of p through raw and returns the
// bytes moved, the netpoller's error (a deadline, a closed connection) and
// the system call's.
func (k *call) run(raw syscall.RawConn, p []byte, read bool) (n int, err, errno error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.buf, k.done, k.err = p, 0, nil
	if read {
		err = raw.Read(k.fn)
	} else {
		err = raw.Write(k.fn)
	}
	n, errno = k.done, k.err
	k.buf, k.err = nil, nil
	return n, err, errno
}

// Wrap returns c as a *Conn when it is a plain TCP connection on a
// platform with raw socket calls, and c unchanged otherwise (TLS, pipes).
// Wrap a connection before layering TLS on it, so that TLS's own reads
// and writes take the raw path too.
func Wrap(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok || !rawCalls {
		return c
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	s := &Conn{TCPConn: tc, raw: raw}
	s.rd.fn = s.readOnce
	s.wr.fn = s.writeAll
	return s
}

// SyscallConn returns the socket's raw connection.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return c.raw, nil }

// Read reads what the socket holds, up to len(p) bytes, waiting in the
// netpoller while it holds nothing: io.EOF once the peer closed its side.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err, rerr := c.rd.run(c.raw, p, true)
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, c.opError("read", rerr)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readOnce makes one read into the current Read's buffer; false (wait for
// the socket, then call again) when it had nothing.
func (c *Conn) readOnce(fd uintptr) bool {
	for {
		n, err := sysRead(int(fd), c.rd.buf)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case nil:
			c.rd.done = n
		default:
			c.rd.err = err
		}
		return true
	}
}

// Write writes all of p, waiting in the netpoller while the socket's send
// buffer is full, until the write deadline if one is set.
func (c *Conn) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err, werr := c.wr.run(c.raw, p, false)
	switch {
	case err != nil:
		return n, err
	case werr != nil:
		return n, c.opError("write", werr)
	}
	return n, nil
}

// writeAll writes the rest of the current Write's buffer; false (wait for
// room, then call again) when the socket took it only in part.
func (c *Conn) writeAll(fd uintptr) bool {
	for c.wr.done < len(c.wr.buf) {
		n, err := sysWrite(int(fd), c.wr.buf[c.wr.done:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case nil:
			c.wr.done += n
		default:
			c.wr.err = err
			return true
		}
	}
	return true
}

// opError describes a failed system call as net.Conn does.
func (c *Conn) opError(op string, errno error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError(op, errno)}
}

// WriteNonblocking makes one write of buf on raw's socket without waiting
// for it to become writable: n bytes were taken (0 with EAGAIN when its
// send buffer is full). tried is false when the write was not attempted
// (a write deadline passed, the connection is closed), and err is then
// why.
func WriteNonblocking(raw syscall.RawConn, buf []byte) (n int, tried bool, err error) {
	werr := raw.Write(func(fd uintptr) bool {
		tried = true
		for {
			n, err = sysWrite(int(fd), buf)
			if err != syscall.EINTR { // a signal: the write did not happen
				return true
			}
		}
	})
	if !tried {
		return 0, false, werr
	}
	return max(n, 0), true, err
}
