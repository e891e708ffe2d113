package netproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests; generous for loaded machines.
const waitLimit = 10 * time.Second

// target is a loopback server whose accepted connections the test drives.
type target struct {
	addr     string
	accepted chan net.Conn
}

func startTarget(t *testing.T) *target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{addr: ln.Addr().String(), accepted: make(chan net.Conn, 16)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			tg.accepted <- c
		}
	}()
	return tg
}

// next returns the target's next accepted connection.
func (tg *target) next(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-tg.accepted:
		return c
	case <-time.After(waitLimit):
		t.Fatal("the target accepted no connection")
		return nil
	}
}

func startProxy(t *testing.T, to string) *Proxy {
	t.Helper()
	p, err := Start(context.Background(), Config{Listen: "127.0.0.1:0", Target: to, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// connected dials p and returns both ends: the dialler's and the target's.
func connected(t *testing.T, p *Proxy, tg *target) (client, server net.Conn) {
	t.Helper()
	client = dial(t, p.Addr())
	return client, tg.next(t)
}

// send writes s to w and checks that r reads exactly s.
func send(t *testing.T, w, r net.Conn, s string) {
	t.Helper()
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
	expectRead(t, r, s)
}

func expectRead(t *testing.T, r net.Conn, s string) {
	t.Helper()
	_ = r.SetReadDeadline(time.Now().Add(waitLimit))
	buf := make([]byte, len(s))
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != s {
		t.Fatalf("read %q, %v; want %q", buf, err, s)
	}
}

// expectEnded waits until c reads an error other than a timeout: the proxy
// closed or reset it.
func expectEnded(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	var buf [64]byte
	for {
		_, err := c.Read(buf[:])
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("connection still open after %v", waitLimit)
		case err != nil:
			return
		}
	}
}

// expectRefused checks that a connection to addr is reset: at once (the
// dial fails), or as soon as it is read.
func expectRefused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		return
	}
	defer c.Close()
	expectEnded(t, c)
}

// expectNothing checks that nothing is buffered to read on c right now.
func expectNothing(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now())
	var buf [64]byte
	if n, _ := c.Read(buf[:]); n > 0 {
		t.Fatalf("read %q through a blackhole", buf[:n])
	}
}

// waitStats waits until cond holds for p's stats.
func waitStats(t *testing.T, p *Proxy, what string, cond func(Stats) bool) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); !cond(p.Stats()); {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v: %+v", what, waitLimit, p.Stats())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestPassBothWays(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	client, server := connected(t, p, tg)
	send(t, client, server, "request")
	send(t, server, client, "reply!")
	// The proxy counts a chunk after its write returned, maybe after the
	// reader saw it.
	waitStats(t, p, "bytes counted", func(s Stats) bool { return s.Bytes == [2]uint64{7, 6} })
	if st := p.Stats(); st.Accepted != 1 || st.Open != 1 || st.Dropped != [2]uint64{} {
		t.Errorf("stats %+v", st)
	}
	client.Close()
	expectEnded(t, server)
	waitStats(t, p, "closed connection", func(s Stats) bool { return s.Open == 0 })
}

func TestCutResetsAndRefuses(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	client, server := connected(t, p, tg)
	send(t, client, server, "before")
	p.Cut()
	expectEnded(t, client)
	expectEnded(t, server)
	expectRefused(t, p.Addr())
	if st := p.Stats(); st.Refused != 1 || st.Accepted != 1 {
		t.Errorf("stats after a refused connection: %+v", st)
	}
	select {
	case <-tg.accepted:
		t.Fatal("a cut proxy dialled the target")
	default:
	}
	p.Heal()
	client, server = connected(t, p, tg)
	send(t, client, server, "after")
}

func TestBlackholeOneDirection(t *testing.T) {
	for _, d := range []Direction{Forward, Backward} {
		t.Run(d.String(), func(t *testing.T) { testBlackhole(t, d) })
	}
}

// testBlackhole blackholes direction d of an open connection: its bytes are
// discarded while the other direction passes, and ending the blackhole
// resets the connection that lost bytes.
func testBlackhole(t *testing.T, d Direction) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	client, server := connected(t, p, tg)
	from, to := client, server
	if d == Backward {
		from, to = server, client
	}
	p.SetBlackhole(d, true)
	if _, err := from.Write([]byte("lost")); err != nil {
		t.Fatalf("write into a blackhole failed: %v", err)
	}
	waitStats(t, p, "dropped bytes", func(s Stats) bool { return s.Dropped[d] == 4 })
	expectNothing(t, to)
	send(t, to, from, "other way")
	p.SetBlackhole(d, false)
	expectEnded(t, client)
	client, server = connected(t, p, tg)
	send(t, client, server, "healed")
	send(t, server, client, "healed")
}

// TestBlackholeNewConnections: a connection opened during a blackhole is
// accepted and forwarded, but loses its bytes.
func TestBlackholeNewConnections(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	p.SetBlackhole(Forward, true)
	client, server := connected(t, p, tg)
	if _, err := client.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	waitStats(t, p, "dropped byte", func(s Stats) bool { return s.Dropped[Forward] == 1 })
	expectNothing(t, server)
	p.Heal()
	expectEnded(t, client)
}

func TestDelay(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	client, server := connected(t, p, tg)
	const delay = time.Second
	if err := p.SetDelay(Forward, delay); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, s := range []string{"a", "b", "c"} {
		if _, err := client.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	// The other direction is not delayed: a reply overtakes the request.
	send(t, server, client, "undelayed")
	if got := p.Stats().Bytes[Forward]; got != 0 && time.Since(start) < delay {
		t.Fatalf("%d delayed bytes delivered before their delay", got)
	}
	expectRead(t, server, "abc")
	if took := time.Since(start); took < delay {
		t.Errorf("delayed bytes arrived after %v, want at least %v", took, delay)
	}
	for _, bad := range []time.Duration{-time.Millisecond, MaxDelay + 1} {
		if err := p.SetDelay(Backward, bad); err == nil {
			t.Errorf("SetDelay(%v) accepted", bad)
		}
	}
	p.Heal()
	send(t, client, server, "healed")
}

func TestTargetDown(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	q := startProxy(t, down)
	expectRefused(t, q.Addr())
	waitStats(t, q, "refused connection", func(s Stats) bool { return s.Refused == 1 && s.Open == 0 })
	if st := p.Stats(); st.Accepted != 0 {
		t.Errorf("unrelated proxy counted %+v", st)
	}
}

func TestCloseEndsConnections(t *testing.T) {
	tg := startTarget(t)
	p := startProxy(t, tg.addr)
	client, server := connected(t, p, tg)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	expectEnded(t, client)
	expectEnded(t, server)
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("a closed proxy still accepts connections")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, cfg := range []Config{
		{Listen: "0.0.0.0:0", Target: "127.0.0.1:1"},
		{Listen: "127.0.0.1:0", Target: "192.0.2.1:80"},
		{Listen: "127.0.0.1:0", Target: "example.com:80"},
		{Listen: "nope", Target: "127.0.0.1:1"},
	} {
		if p, err := Start(context.Background(), cfg); err == nil {
			p.Close()
			t.Errorf("Start(%+v) accepted a non-loopback address", cfg)
		} else if !strings.Contains(err.Error(), "address") {
			t.Errorf("Start(%+v): %v", cfg, err)
		}
	}
	p, err := Start(context.Background(), Config{Listen: "localhost:0", Target: "[::1]:1"})
	if err != nil {
		t.Fatalf("loopback names refused: %v", err)
	}
	p.Close()
}
