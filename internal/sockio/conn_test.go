package sockio

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// pair returns the two ends of a loopback TCP connection, wrapped.
func pair(t testing.TB) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	client, server = Wrap(c), Wrap(s)
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// shrink makes c's kernel buffers small, so that writes fill them.
func shrink(t *testing.T, c net.Conn) {
	t.Helper()
	type buffers interface {
		SetReadBuffer(int) error
		SetWriteBuffer(int) error
	}
	b := c.(buffers)
	if err := b.SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	if err := b.SetWriteBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
}

func TestWrapWrapsTCPOnLinux(t *testing.T) {
	c, _ := pair(t)
	_, wrapped := c.(*Conn)
	if wrapped != (runtime.GOOS == "linux") {
		t.Fatalf("Wrap of a TCP connection on %s gave %T", runtime.GOOS, c)
	}
	if _, ok := c.(syscall.Conn); !ok {
		t.Fatalf("%T has no SyscallConn: the transport could not write on it directly", c)
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if Wrap(p1) != p1 {
		t.Fatal("Wrap changed a connection that is not TCP")
	}
}

// TestStreamBothWays moves 32 MiB each way at once, in writes and reads
// of odd sizes, so that both sides keep meeting EAGAIN, partial writes
// and waits in the netpoller. (Not through shrunk kernel buffers: loopback
// TCP then stalls with plain net.Conns too.)
func TestStreamBothWays(t *testing.T) {
	a, b := pair(t)
	const size = 32 << 20
	check := func(from, to net.Conn) chan error {
		done := make(chan error, 2)
		want := make([]byte, size)
		_, _ = rand.Read(want)
		go func() {
			for off := 0; off < size; {
				chunk := want[off:min(size, off+1_000_003)]
				n, err := from.Write(chunk)
				if err != nil {
					done <- err
					return
				}
				if n != len(chunk) {
					done <- fmt.Errorf("a write took %d of %d bytes and returned no error", n, len(chunk))
					return
				}
				off += n
			}
			done <- nil
		}()
		go func() {
			got := make([]byte, 0, size)
			buf := make([]byte, 7_919)
			for len(got) < size {
				n, err := to.Read(buf)
				if err != nil {
					done <- err
					return
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.Equal(got, want) {
				done <- errors.New("the bytes read are not the bytes written")
				return
			}
			done <- nil
		}()
		return done
	}
	ab, ba := check(a, b), check(b, a)
	for range 2 {
		for _, ch := range []chan error{ab, ba} {
			select {
			case err := <-ch:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(2 * time.Minute):
				t.Fatal("the streams did not finish")
			}
		}
	}
}

func TestReadEOF(t *testing.T) {
	a, b := pair(t)
	if _, err := a.Write([]byte("last")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "last" {
		t.Fatalf("read %q, %v; want \"last\" then io.EOF (ReadAll's nil)", got, err)
	}
	n, err := b.Read(make([]byte, 8))
	if n != 0 || err != io.EOF {
		t.Fatalf("read after the peer's close: %d, %v; want 0, io.EOF", n, err)
	}
}

func TestReadDeadline(t *testing.T) {
	_, b := pair(t)
	if err := b.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := b.Read(make([]byte, 8))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v; want os.ErrDeadlineExceeded, a net.Error that is a timeout", err)
	}
}

func TestWriteDeadlineOnAFullSocket(t *testing.T) {
	a, b := pair(t)
	shrink(t, a)
	shrink(t, b)
	if err := a.SetWriteDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	n, err := a.Write(make([]byte, 64<<20)) // b never reads
	if !errors.Is(err, os.ErrDeadlineExceeded) || n <= 0 || n >= 64<<20 {
		t.Fatalf("write to a peer that does not read: %d bytes, %v; want some bytes, then os.ErrDeadlineExceeded", n, err)
	}
}

func TestCloseWakesARead(t *testing.T) {
	_, b := pair(t)
	done := make(chan error, 1)
	go func() {
		_, err := b.Read(make([]byte, 8))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it wait in the netpoller (the result is the same if not)
	b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read interrupted by Close: %v; want net.ErrClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close did not end the read")
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v; want net.ErrClosed", err)
	}
}

func TestWriteToAResetConnection(t *testing.T) {
	a, b := pair(t)
	if err := b.(interface{ SetLinger(int) error }).SetLinger(0); err != nil {
		t.Fatal(err)
	}
	b.Close() // sends a reset
	var err error
	deadline := time.Now().Add(time.Minute)
	for err == nil && time.Now().Before(deadline) {
		_, err = a.Write([]byte("after the reset"))
	}
	var op *net.OpError
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) || !errors.As(err, &op) || op.Op != "write" {
		t.Fatalf("write after the peer's reset: %v; want a *net.OpError \"write\" of ECONNRESET or EPIPE", err)
	}
}

func TestWriteNonblocking(t *testing.T) {
	a, b := pair(t)
	shrink(t, a)
	shrink(t, b)
	raw, err := a.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	total := 0
	for i := 0; ; i++ {
		n, tried, err := WriteNonblocking(raw, chunk)
		if !tried {
			t.Fatalf("write %d not tried: %v", i, err)
		}
		total += n
		if errors.Is(err, syscall.EAGAIN) {
			if n != 0 {
				t.Fatalf("EAGAIN with %d bytes taken", n)
			}
			break
		}
		if err != nil || i > 1000 {
			t.Fatalf("write %d: %v (%d bytes in all); want EAGAIN once the buffers are full", i, err, total)
		}
	}
	got := 0
	buf := make([]byte, 32<<10)
	for got < total {
		n, err := b.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	if err := a.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, tried, err := WriteNonblocking(raw, chunk); tried || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write past the deadline: tried %v, %v; want not tried, os.ErrDeadlineExceeded", tried, err)
	}
}
