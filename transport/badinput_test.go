package transport

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// expectClosed reads from conn until the server closes it.
func expectClosed(t *testing.T, conn net.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitFor))
	var b [256]byte
	for {
		_, err := conn.Read(b[:])
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("server did not close the connection")
		}
		if err != nil {
			return // EOF or reset: closed
		}
	}
}

// frame encodes m, failing the test on error.
func frame(t *testing.T, cluster uint64, sender uint8, m message.Message) []byte {
	t.Helper()
	b, err := wire.AppendFrame(nil, cluster, sender, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// badInputs returns byte streams that replica 0 of a 3-replica cluster
// must reject. halfClose means the test closes its write side after
// sending.
func badInputs(t *testing.T) map[string]struct {
	bytes     []byte
	halfClose bool
} {
	commit := &message.Commit{View: 1, Commit: 1}
	good := frame(t, testCluster, 1, commit)
	oversized := frame(t, testCluster, 1, commit)
	binary.LittleEndian.PutUint32(oversized[16:], 1<<20)
	badSum := frame(t, testCluster, 1, commit)
	badSum[len(badSum)-1] ^= 1
	type in = struct {
		bytes     []byte
		halfClose bool
	}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	return map[string]in{
		"garbage":          {bytes: []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")},
		"truncated":        {bytes: good[:len(good)-3], halfClose: true},
		"truncated header": {bytes: good[:10], halfClose: true},
		"oversized":        {bytes: oversized},
		"bad checksum":     {bytes: badSum},
		"wrong cluster":    {bytes: frame(t, testCluster+1, 1, commit)},
		// Any other sender id is a peer: a replica added by a
		// reconfiguration talks before its address is known here.
		"sender is self":    {bytes: frame(t, testCluster, 0, commit)},
		"client sends":      {bytes: frame(t, testCluster, wire.SenderClient, commit)},
		"replica requests":  {bytes: frame(t, testCluster, 1, &message.Request{ClientID: 1})},
		"replica replies":   {bytes: frame(t, testCluster, 1, &message.Reply{ClientID: 1})},
		"replica mismatch":  {bytes: frame(t, testCluster, 1, &message.PrepareOK{View: 1, Op: 1, Replica: 2})},
		"sender changes":    {bytes: cat(good, frame(t, testCluster, 2, commit))},
		"client to replica": {bytes: cat(frame(t, testCluster, wire.SenderClient, &message.Request{ClientID: 1}), good)},
	}
}

// TestBadInput feeds each bad stream to a live transport, checks that the
// connection is closed and counted, and that a good peer still works.
func TestBadInput(t *testing.T) {
	trs, _ := startCluster(t, 3, func(c *Config) { c.Limits.MaxBody = 1 << 16 })
	tr := trs[0]
	for name, in := range badInputs(t) {
		t.Run(name, func(t *testing.T) {
			before := tr.Stats().BadFrames
			conn := dialRaw(t, tr)
			if _, err := conn.Write(in.bytes); err != nil {
				t.Fatal(err)
			}
			if in.halfClose {
				_ = conn.CloseWrite()
			}
			expectClosed(t, conn)
			if got := tr.Stats().BadFrames; got != before+1 {
				t.Fatalf("bad frames %d, want %d", got, before+1)
			}
		})
	}
	drain(tr) // the valid first frames of some streams were delivered
	for from := 1; from <= 2; from++ {
		trs[from].Send(0, &message.StartViewChange{View: 9, Replica: uint8(from)})
		in := receive(t, tr)
		if svc, ok := in.Msg.(*message.StartViewChange); !ok || svc.View != 9 {
			t.Fatalf("after bad input got %+v", in)
		}
	}
}

// drain empties tr's receive channel without blocking.
func drain(tr *Transport) {
	for {
		select {
		case <-tr.Receive():
		default:
			return
		}
	}
}

// TestCleanCloseIsNotBad checks that a peer closing between frames is not
// counted as bad input.
func TestCleanCloseIsNotBad(t *testing.T) {
	trs, _ := startCluster(t, 2, nil)
	conn := dialRaw(t, trs[0])
	writeFrame(t, conn, testCluster, 1, &message.Commit{View: 1})
	receive(t, trs[0])
	_ = conn.CloseWrite()
	expectClosed(t, conn)
	if s := trs[0].Stats(); s.BadFrames != 0 {
		t.Fatalf("stats %+v", s)
	}
}
