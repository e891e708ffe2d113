package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
)

// TestExchangeAllDirections sends every peer message type between every
// ordered pair of three replicas and checks each arrives intact, once.
func TestExchangeAllDirections(t *testing.T) {
	trs, _ := startCluster(t, 3, nil)
	want := make([]map[string]int, len(trs)) // per receiver: "from/msg" -> count
	for i := range want {
		want[i] = map[string]int{}
	}
	for from, tr := range trs {
		for to := range trs {
			if to == from {
				continue
			}
			for _, m := range peerMessages(uint8(from)) {
				if !tr.Send(to, m) {
					t.Fatalf("send %d->%d %v refused", from, to, m.Type())
				}
				want[to][key(from, m)]++
			}
		}
	}
	for to, tr := range trs {
		for n := len(peerMessages(0)) * (len(trs) - 1); n > 0; n-- {
			in := receive(t, tr)
			k := key(in.From, in.Msg)
			if want[to][k] == 0 {
				t.Fatalf("replica %d got unexpected %s", to, k)
			}
			want[to][k]--
			if in.Client != nil {
				t.Fatalf("peer message with a client: %+v", in)
			}
		}
	}
	for _, tr := range trs {
		_ = tr.Close() // settles the counters: writers count after Write returns
		if s := tr.Stats(); s.Sent != 20 || s.Received != 20 || s.BadFrames != 0 || s.DroppedOut != 0 {
			t.Errorf("stats %+v", s)
		}
	}
	checkPeerStats(t, trs)
}

// checkPeerStats checks that each link counted its half of the exchange:
// 10 messages each way, and the bytes one side wrote are the bytes the
// other side read.
func checkPeerStats(t *testing.T, trs []*Transport) {
	t.Helper()
	for i, tr := range trs {
		ps := tr.PeerStats()
		if len(ps) != len(trs)-1 {
			t.Fatalf("replica %d: %d links, want %d", i, len(ps), len(trs)-1)
		}
		for _, p := range ps {
			back := trs[p.Peer].PeerStats()
			var mirror PeerStats
			for _, b := range back {
				if b.Peer == i {
					mirror = b
				}
			}
			if p.Sent != 10 || p.Received != 10 || p.DroppedOut != 0 || p.SentBytes == 0 ||
				p.SentBytes != mirror.ReceivedBytes || p.ReceivedBytes != mirror.SentBytes {
				t.Errorf("link %d->%d: %+v, mirror %+v", i, p.Peer, p, mirror)
			}
		}
	}
}

// key identifies a message by sender and contents.
func key(from int, m message.Message) string {
	return fmt.Sprintf("%d/%T%+v", from, m, reflect.ValueOf(m).Elem().Interface())
}

// TestManyMessagesCoalesced pushes a burst through one link and checks
// that all of it arrives.
func TestManyMessagesCoalesced(t *testing.T) {
	trs, _ := startCluster(t, 2, nil)
	const n = 3000
	for i := range n {
		if !trs[0].Send(1, &message.PrepareOK{View: 1, Op: uint64(i), Replica: 0}) {
			t.Fatalf("send %d refused", i)
		}
	}
	seen := make([]bool, n)
	for range n {
		in := receive(t, trs[1])
		seen[in.Msg.(*message.PrepareOK).Op] = true
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("op %d missing", i)
		}
	}
}

// TestReconnect restarts a peer on the same address and checks that
// messages get through again.
func TestReconnect(t *testing.T) {
	trs, addrs := startCluster(t, 2, nil)
	a, b := trs[0], trs[1]
	a.Send(1, &message.Commit{View: 1, Commit: 1})
	if in := receive(t, b); in.From != 0 {
		t.Fatalf("got %+v", in)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := startTransport(t, testConfig(t, 1, addrs))

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for commit := uint64(2); ; commit++ {
		a.Send(1, &message.Commit{View: 1, Commit: commit})
		select {
		case in := <-b2.Receive():
			if c, ok := in.Msg.(*message.Commit); !ok || in.From != 0 || c.Commit < 2 {
				t.Fatalf("got %+v", in)
			}
			if a.Stats().Reconnects == 0 {
				t.Errorf("no reconnect counted: %+v", a.Stats())
			}
			return
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("no message after restart; stats %+v", a.Stats())
		}
	}
}

// TestBoundedQueue fills the queue of an unreachable peer.
func TestBoundedQueue(t *testing.T) {
	addrs := freeAddrs(t, 2) // nothing listens on addrs[1] once freed
	cfg := testConfig(t, 0, addrs)
	cfg.QueueSize = 16
	tr := startTransport(t, cfg)
	accepted := 0
	for i := range 10 * cfg.QueueSize {
		if tr.Send(1, &message.Commit{View: 1, Commit: uint64(i)}) {
			accepted++
		} else if i < cfg.QueueSize {
			t.Fatalf("send %d refused below the bound", i)
		}
	}
	if accepted != cfg.QueueSize {
		t.Fatalf("accepted %d, want %d", accepted, cfg.QueueSize)
	}
	if got, want := tr.Stats().DroppedOut, uint64(9*cfg.QueueSize); got != want {
		t.Fatalf("dropped %d, want %d", got, want)
	}
	if ps := tr.PeerStats(); len(ps) != 1 || ps[0].Peer != 1 || ps[0].DroppedOut != uint64(9*cfg.QueueSize) {
		t.Fatalf("peer stats %+v, want %d dropped toward replica 1", ps, 9*cfg.QueueSize)
	}
}

// TestPeerQueueBoundedByBytes queues Prepares of 64 KiB to an unreachable
// peer with MaxPeerQueueBytes at 1 MiB: the queue takes what fits (the
// first always) and drops the rest, far below QueueSize. Bounded by
// count alone it held all 200 (13 MB; 4,096 at the default QueueSize).
func TestPeerQueueBoundedByBytes(t *testing.T) {
	addrs := freeAddrs(t, 2) // nothing listens on addrs[1] once freed
	cfg := testConfig(t, 0, addrs)
	cfg.MaxPeerQueueBytes = 1 << 20
	tr := startTransport(t, cfg)
	entry := message.Entry{Op: 1, Payload: make([]byte, 64<<10)}
	size := message.Size(&message.Prepare{Entries: []message.Entry{entry}})
	accepted := 0
	for i := range 200 {
		entry.Op = uint64(i + 1)
		if tr.Send(1, &message.Prepare{View: 1, Entries: []message.Entry{entry}}) {
			accepted++
		}
	}
	want := max(1, cfg.MaxPeerQueueBytes/size)
	t.Logf("accepted %d Prepares of %d bytes", accepted, size)
	if accepted != want {
		t.Fatalf("accepted %d Prepares of %d bytes into a lane bounded at %d bytes, want %d", accepted, size, cfg.MaxPeerQueueBytes, want)
	}
	if got := tr.Stats().DroppedOut; got != uint64(200-accepted) {
		t.Fatalf("dropped %d, want %d", got, 200-accepted)
	}
}

// TestSendRefusesInvalid checks destinations and message types Send
// refuses.
func TestSendRefusesInvalid(t *testing.T) {
	tr, err := New(testConfig(t, 1, []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ok := &message.Commit{}
	cases := []struct {
		to int
		m  message.Message
	}{{-1, ok}, {1, ok}, {3, ok}, {0, nil}, {0, &message.Request{}}, {2, &message.Reply{}}}
	for _, c := range cases {
		if tr.Send(c.to, c.m) {
			t.Errorf("Send(%d, %T) accepted", c.to, c.m)
		}
	}
	if !tr.Send(0, ok) {
		t.Error("valid send before Start refused")
	}
	if got := tr.Stats().DroppedOut; got != uint64(len(cases)) {
		t.Errorf("dropped %d, want %d", got, len(cases))
	}
}

// TestPortBusy checks that a busy port is reported as EADDRINUSE.
func TestPortBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tr, err := New(testConfig(t, 0, []string{ln.Addr().String(), "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	err = tr.Start(context.Background())
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Start on a busy port: %v", err)
	}
}

// TestLifecycle checks Start and Close in every order.
func TestLifecycle(t *testing.T) {
	tr, err := New(testConfig(t, 0, []string{"127.0.0.1:0", "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Addr() != nil {
		t.Error("Addr before Start")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := tr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(ctx); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start: %v", err)
	}
	cancel() // stops I/O; Close must still work
	for range 2 {
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := <-tr.Receive(); ok {
		t.Error("Receive open after Close")
	}
	if err := tr.Start(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
	if tr.Send(1, &message.Commit{}) {
		t.Error("Send after Close accepted")
	}
}

// TestConfigErrors checks that New rejects bad configs with ErrConfig.
func TestConfigErrors(t *testing.T) {
	ok := []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}
	cases := map[string]func(*Config){
		"no peers":        func(c *Config) { c.Peers = nil },
		"self negative":   func(c *Config) { c.Self = -1 },
		"self too large":  func(c *Config) { c.Self = 3 },
		"no port":         func(c *Config) { c.Peers = []string{"127.0.0.1:7001", "localhost", "x:1"} },
		"bad port":        func(c *Config) { c.Peers = []string{"127.0.0.1:7001", "h:http", "x:1"} },
		"port too large":  func(c *Config) { c.Peers = []string{"127.0.0.1:7001", "h:70000", "x:1"} },
		"peer port zero":  func(c *Config) { c.Peers = []string{"127.0.0.1:7001", "h:0", "x:1"} },
		"duplicate":       func(c *Config) { c.Peers = []string{"a:1", "b:1", "a:1"} },
		"bad listen":      func(c *Config) { c.Listen = "nonsense" },
		"backoff order":   func(c *Config) { c.DialBackoffMin = time.Second; c.DialBackoffMax = time.Millisecond },
		"negative queue":  func(c *Config) { c.QueueSize = -1 },
		"negative limit":  func(c *Config) { c.Limits.MaxBody = -1 },
		"too many peers":  func(c *Config) { c.Peers = make([]string, 256) },
		"negative timout": func(c *Config) { c.IOTimeout = -time.Second },
	}
	for name, edit := range cases {
		cfg := testConfig(t, 0, ok)
		edit(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	if _, err := New(testConfig(t, 0, ok)); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// TestIdleCloseAndRedial lets a link go idle long enough for the sender to
// close it, then checks that the next message re-dials transparently.
func TestIdleCloseAndRedial(t *testing.T) {
	trs, _ := startCluster(t, 2, func(c *Config) { c.IOTimeout = 200 * time.Millisecond })
	a, b := trs[0], trs[1]
	a.Send(1, &message.Commit{View: 1, Commit: 1})
	receive(t, b)
	idle := time.NewTimer(600 * time.Millisecond) // > IOTimeout: the link goes idle
	<-idle.C
	a.Send(1, &message.Commit{View: 1, Commit: 2})
	if c := receive(t, b).Msg.(*message.Commit); c.Commit != 2 {
		t.Fatalf("got %+v", c)
	}
	s := a.Stats()
	if s.Reconnects != 1 || s.DialErrors != 0 || s.DroppedOut != 0 || b.Stats().BadFrames != 0 {
		t.Fatalf("stats %+v / %+v", s, b.Stats())
	}
}

// TestCloseUnblocksWriter checks that Close does not wait for the write
// deadline when a peer accepts but never reads.
func TestCloseUnblocksWriter(t *testing.T) {
	addrs := freeAddrs(t, 2)
	ln, err := net.Listen("tcp", addrs[1])
	if err != nil {
		t.Skip("port taken:", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c // never read
		}
	}()
	cfg := testConfig(t, 0, addrs)
	cfg.IOTimeout = time.Minute
	tr := startTransport(t, cfg)
	payload := make([]byte, 1<<20)
	for i := range 64 { // far more than the socket buffers hold
		tr.Send(1, &message.Prepare{View: 1, Entries: []message.Entry{{Op: uint64(i + 1), Payload: payload}}})
	}
	tm := time.NewTimer(waitFor)
	defer tm.Stop()
	select {
	case conn := <-accepted:
		defer conn.Close()
	case <-tm.C:
		t.Fatal("transport never dialled")
	}
	done := make(chan struct{})
	go func() { _ = tr.Close(); close(done) }()
	tm.Reset(5 * time.Second)
	select {
	case <-done:
	case <-tm.C:
		t.Fatal("Close blocked behind a stuck write")
	}
}

// TestDeadPeerQueueShrinks checks what a peer that cannot be reached
// costs its sender: a failed dial drops the queued messages beyond
// MaxDownPeerQueueBytes (the oldest first), and until a dial succeeds the
// lane takes no more than that, instead of MaxPeerQueueBytes of Prepares
// it could never deliver (each lane's 64 MiB by default pinned the new
// primary's memory after its predecessor was killed, then went to the
// restarted replica, which discarded them).
func TestDeadPeerQueueShrinks(t *testing.T) {
	addrs := freeAddrs(t, 2) // nothing listens on addrs[1]
	cfg := testConfig(t, 0, addrs)
	cfg.MaxPeerQueueBytes, cfg.MaxDownPeerQueueBytes = 8<<20, 256<<10
	tr, err := New(cfg) // not started: nothing dials until dialFailed is called
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	p := tr.peers[1].Load()[message.LaneControl]
	prepare := func(op uint64) *message.Prepare {
		return &message.Prepare{View: 1, Entries: []message.Entry{{Op: op, Payload: make([]byte, 64<<10)}}}
	}
	size := message.Size(prepare(1))
	for op := range uint64(100) {
		if !p.send(prepare(op + 1)) {
			t.Fatalf("Prepare %d of %d bytes refused by a lane bounded at %d bytes", op+1, size, cfg.MaxPeerQueueBytes)
		}
	}
	p.dialFailed(errors.New("connection refused"))
	kept, bytes := p.q.takeSized(nil)
	if bytes > cfg.MaxDownPeerQueueBytes || len(kept) != cfg.MaxDownPeerQueueBytes/size {
		t.Fatalf("after a failed dial the lane holds %d Prepares, %d bytes; want %d, at most %d bytes",
			len(kept), bytes, cfg.MaxDownPeerQueueBytes/size, cfg.MaxDownPeerQueueBytes)
	}
	if last := kept[len(kept)-1].(*message.Prepare).Entries[0].Op; last != 100 {
		t.Fatalf("kept Prepares up to op %d, want the newest (100)", last)
	}
	if got, want := tr.Stats().DroppedOut, uint64(100-len(kept)); got != want {
		t.Fatalf("dropped %d, want %d", got, want)
	}
	accepted := 0
	for op := range uint64(100) {
		if p.send(prepare(op + 101)) {
			accepted++
		}
	}
	if want := cfg.MaxDownPeerQueueBytes / size; accepted != want {
		t.Fatalf("a lane to a peer that cannot be reached took %d Prepares of %d bytes, want %d (%d bytes)",
			accepted, size, want, cfg.MaxDownPeerQueueBytes)
	}
}

// TestReachedPeerQueueGrowsBack checks that a lane whose peer came back
// takes MaxPeerQueueBytes again.
func TestReachedPeerQueueGrowsBack(t *testing.T) {
	trs, _ := startCluster(t, 2, func(c *Config) { c.MaxPeerQueueBytes, c.MaxDownPeerQueueBytes = 8<<20, 64<<10 })
	p := trs[0].peers[1].Load()[message.LaneControl]
	p.dialFailed(errors.New("connection refused")) // as if the peer had been down
	if !trs[0].Send(1, &message.Commit{View: 1, Commit: 1}) {
		t.Fatal("Commit refused")
	}
	if in := receive(t, trs[1]); in.Msg.(*message.Commit).Commit != 1 {
		t.Fatalf("received %+v, want the Commit", in.Msg)
	}
	p.q.mu.Lock()
	bound := p.q.maxBytes
	p.q.mu.Unlock()
	if bound != 8<<20 {
		t.Fatalf("after a successful dial the lane is bounded at %d bytes, want %d", bound, 8<<20)
	}
}
