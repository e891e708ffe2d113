package transport

import (
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// dialRaw opens a raw TCP connection to tr, closed at cleanup.
func dialRaw(t *testing.T, tr *Transport) *net.TCPConn {
	t.Helper()
	conn, err := net.Dial("tcp", tr.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn.(*net.TCPConn)
}

// writeFrame encodes m as one frame and writes it to conn.
func writeFrame(t *testing.T, conn net.Conn, cluster uint64, sender uint8, m message.Message) {
	t.Helper()
	b, err := wire.AppendFrame(nil, cluster, sender, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestClientRequestReply plays a client: it sends Requests and reads the
// Replies the replica sends back through Inbound.Client.
func TestClientRequestReply(t *testing.T) {
	trs, _ := startCluster(t, 3, nil)
	tr := trs[2]
	conn := dialRaw(t, tr)
	r := wire.NewReader(conn, wire.Limits{})
	for num := uint64(1); num <= 3; num++ {
		req := &message.Request{ClientID: 42, RequestNum: num, View: 1, Payload: []byte("put x 1")}
		writeFrame(t, conn, testCluster, wire.SenderClient, req)
		in := receive(t, tr)
		if in.From != -1 || in.Client == nil || !reflect.DeepEqual(in.Msg, req) {
			t.Fatalf("got %+v", in)
		}
		reply := &message.Reply{View: 1, ClientID: 42, RequestNum: num, Replica: 2, Result: []byte("ok")}
		if !in.Client.Send(reply) {
			t.Fatal("reply refused")
		}
		_ = conn.SetReadDeadline(time.Now().Add(waitFor))
		h, m, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if h.Sender != 2 || h.Cluster != testCluster || !reflect.DeepEqual(m, reply) {
			t.Fatalf("got %+v %+v", h, m)
		}
	}
}

// TestClientConnAfterDisconnect checks that replies to a gone client are
// refused rather than blocking.
func TestClientConnAfterDisconnect(t *testing.T) {
	trs, _ := startCluster(t, 1, nil)
	tr := trs[0]
	conn := dialRaw(t, tr)
	writeFrame(t, conn, testCluster, wire.SenderClient, &message.Request{ClientID: 1, RequestNum: 1})
	in := receive(t, tr)
	if err := in.Client.Close(); err != nil {
		t.Fatal(err)
	}
	if in.Client.Send(&message.Reply{ClientID: 1, RequestNum: 1}) {
		t.Fatal("reply to a closed client accepted")
	}
	expectClosed(t, conn)
}

// TestSlowClientDisconnected: a client that sends a request and never
// reads its replies must not make the replica queue them without bound:
// once MaxReplyBytes are queued for it, its connection is closed. (Before
// the byte bound, 4,096 replies of any size were queued per connection:
// 3 connections reading 1 MB values took a replica to 1.04 GB.)
func TestSlowClientDisconnected(t *testing.T) {
	trs, _ := startCluster(t, 1, func(c *Config) { c.MaxReplyBytes = 1 << 20 })
	tr := trs[0]
	conn := dialRaw(t, tr)
	_ = conn.SetReadBuffer(16 << 10)
	writeFrame(t, conn, testCluster, wire.SenderClient, &message.Request{ClientID: 1, RequestNum: 1})
	in := receive(t, tr)
	value := make([]byte, 256<<10)
	accepted := 0
	for num := range uint64(400) { // 100 MiB of replies
		if in.Client.Send(&message.Reply{ClientID: 1, RequestNum: num + 1, Result: value}) {
			accepted++
		}
	}
	s := tr.Stats()
	t.Logf("%d of 400 replies of 256 KiB accepted; %d written directly", accepted, s.Direct)
	// What the two sockets' buffers, one batch being written and 1 MiB
	// queued can hold (19 here), well under what the bound for all
	// clients together (16 MiB: 64 replies) would let through.
	if accepted > 40 || s.SlowClients != 1 {
		t.Fatalf("%d of 400 replies accepted, %d slow clients closed: replies to a client that does not read are not bounded", accepted, s.SlowClients)
	}
	expectClosed(t, conn)
}

// TestSlowClientsTotalBound: 24 clients that never read. Each is sent
// replies of 64 KiB until its socket is full (a direct write leaves a
// tail, which its writer then waits to write) and then until 768 KiB are
// queued for it, under its own bound (MaxReplyBytes, 1 MiB); all of them
// together would queue 18 MiB. The bound over all clients (16 ×
// MaxReplyBytes) must refuse a reply to a client below its own bound
// and close that connection. With only the per-connection bound no reply
// is refused.
func TestSlowClientsTotalBound(t *testing.T) {
	trs, _ := startCluster(t, 1, func(c *Config) { c.MaxReplyBytes = 1 << 20 })
	tr := trs[0]
	const clients = 24
	conns := make([]*ClientConn, clients)
	for i := range conns {
		conn := dialRaw(t, tr)
		_ = conn.SetReadBuffer(16 << 10)
		writeFrame(t, conn, testCluster, wire.SenderClient, &message.Request{ClientID: uint64(i + 1), RequestNum: 1})
		conns[i] = receive(t, tr).Client
	}
	value := make([]byte, 64<<10)
	refusedUnderOwn := 0
	for i, c := range conns {
		tails := tr.Stats().DirectTails
		for num := uint64(1); num < 1000 && (tr.Stats().DirectTails == tails || c.queuedBytes() < 768<<10); num++ {
			before := c.queuedBytes()
			if !c.Send(&message.Reply{ClientID: uint64(i + 1), RequestNum: num, Result: value}) {
				if before+len(value) < 1<<20 {
					refusedUnderOwn++
				}
				break
			}
		}
	}
	s := tr.Stats()
	t.Logf("%d clients refused below their own bound, %d closed; %d bytes queued or being written in all", refusedUnderOwn, s.SlowClients, tr.replyBytes.Load())
	if refusedUnderOwn == 0 || s.SlowClients == 0 {
		t.Fatalf("no client refused below its own bound (%d closed): replies to all clients together are not bounded", s.SlowClients)
	}
	if queued := tr.replyBytes.Load(); queued > 16<<20 {
		t.Fatalf("%d bytes of replies queued, above 16 × MaxReplyBytes", queued)
	}
}

// queuedBytes reports the bytes of replies queued for c.
func (c *ClientConn) queuedBytes() int {
	c.q.mu.Lock()
	defer c.q.mu.Unlock()
	return c.q.bytes
}
