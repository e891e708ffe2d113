//go:build linux

package e2e

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// clusterID is the cluster id of the bad-input test's cluster.
const clusterID = 7

// badInput is one malformed stream. With eof the sender then closes its
// side; otherwise it keeps the connection open and the server must close.
type badInput struct {
	name  string
	eof   bool
	bytes func(t *testing.T) []byte
}

var badInputs = []badInput{
	{"garbage bytes", false, func(*testing.T) []byte {
		return []byte("GET /status HTTP/1.1\r\nHost: vr\r\n\r\n... and then some more garbage")
	}},
	{"truncated frame", true, func(t *testing.T) []byte {
		f := frame(t, clusterID, wire.SenderClient, request())
		return f[:wire.HeaderSize+3] // a valid header, then the stream ends
	}},
	{"oversized length", false, func(t *testing.T) []byte {
		f := frame(t, clusterID, wire.SenderClient, request())
		binary.LittleEndian.PutUint32(f[16:20], 1<<31) // the header's length field
		return f
	}},
	{"wrong cluster id", false, func(t *testing.T) []byte {
		return frame(t, clusterID+1, wire.SenderClient, request())
	}},
	// Any sender id may be a replica (one a reconfiguration added): an
	// unknown id is no longer refused by the transport, but a frame whose
	// sender and message disagree is.
	{"sender and message disagree", false, func(t *testing.T) []byte {
		return frame(t, clusterID, 200, &message.StartViewChange{View: 1, Replica: 201})
	}},
}

func request() *message.Request {
	return &message.Request{ClientID: 42, RequestNum: 1, Kind: message.KindRegister}
}

func frame(t *testing.T, cluster uint64, sender uint8, m message.Message) []byte {
	t.Helper()
	f, err := wire.AppendFrame(nil, cluster, sender, m)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestBadInputAgainstLiveServer sends malformed streams to a replica of a
// live cluster: each time the replica must close the connection and stay
// up, and the cluster must keep serving clients.
func TestBadInputAgainstLiveServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := startCluster(ctx, t, 3, append([]string{"--cluster-id", "7"}, fastFlags()...)...)
	kv, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, ClusterID: clusterID})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	roundTrip(ctx, t, kv, "before")
	p, _, err := c.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range badInputs {
		for _, target := range []int{p, (p + 1) % 3} { // the primary, then a backup
			drops := dropLines(t, c.LogPath(target))
			expectClosed(t, c.Addrs[target], in.bytes(t), in.eof)
			if !c.Running(target) {
				t.Fatalf("%s: replica %d died; see %s", in.name, target, c.LogPath(target))
			}
			if now := dropLines(t, c.LogPath(target)); len(now) != len(drops)+1 {
				t.Errorf("%s: replica %d logged %d dropped connections, want 1", in.name, target, len(now)-len(drops))
			} else {
				t.Logf("%s → replica %d: %s", in.name, target, now[len(now)-1])
			}
			roundTrip(ctx, t, kv, in.name)
		}
	}
	if _, err := c.waitHealthy(ctx, waitLimit); err != nil {
		t.Fatal(err)
	}
}

// expectClosed writes b on a fresh connection, half-closes it if eof is
// set, and expects the server to close its side (EOF or reset) at once.
func expectClosed(t *testing.T, addr string, b []byte, eof bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
	if eof {
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatalf("half-close: %v", err)
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Fatalf("the server kept the connection open after %q", b[:min(len(b), 32)])
	case n > 0:
		t.Fatalf("the server answered %d bytes to malformed input", n)
	}
}

// roundTrip checks the cluster still serves a put then a get.
func roundTrip(ctx context.Context, t *testing.T, kv *client.Client, after string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := kv.Put(ctx, []byte("probe"), []byte(after)); err != nil {
		t.Fatalf("after %s: put: %v", after, err)
	}
	v, _, err := kv.Get(ctx, []byte("probe"))
	if err != nil || string(v) != after {
		t.Fatalf("after %s: get = %q, %v; want %q", after, v, err, after)
	}
}

// dropLines returns the "reason" of every connection the replica logged
// as dropped for bad input.
func dropLines(t *testing.T, logPath string) []string {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "dropping inbound connection") {
			_, reason, _ := strings.Cut(line, "reason=")
			reasons = append(reasons, reason)
		}
	}
	return reasons
}
