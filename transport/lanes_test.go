package transport

import (
	"net"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// slowLinkRate is the rate, in bytes per second, at which slowPeer reads
// each connection: a slow link, so that the bulk backlog of
// TestControlOvertakesBulk takes seconds to cross.
const slowLinkRate = 4 << 20

// slowPeer is a fake replica behind a slow link: it accepts connections
// and reads each one at slowLinkRate (pacedReader), reporting the type
// of every message it decodes on arrivals, until the sender closes it.
func slowPeer(ln net.Listener, arrivals chan<- message.Type) {
	acceptEach(ln, func(conn net.Conn) {
		r := wire.NewReader(pacedReader{conn, slowLinkRate}, wire.Limits{})
		for {
			_, m, err := r.Next()
			if err != nil {
				return
			}
			arrivals <- m.Type()
		}
	})
}

// TestControlOvertakesBulk queues megabytes of checkpoint chunks to a
// peer behind a slow link, then a Commit: the Commit must arrive before
// the last chunk, on the control lane's own connection, instead of behind
// every chunk as on a single connection. The single-connection subtest
// shows that the check fails with the old behaviour.
func TestControlOvertakesBulk(t *testing.T) {
	const chunks = 8 // 1 MiB each: 2 s over the slow link
	for _, oneLane := range []bool{false, true} {
		name := map[bool]string{false: "lanes", true: "one-connection"}[oneLane]
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ln.Close() })
			arrivals := make(chan message.Type, chunks+1)
			go slowPeer(ln, arrivals)
			addrs := []string{freeAddrs(t, 1)[0], ln.Addr().String()}
			tr, err := New(testConfig(t, 0, addrs))
			if err != nil {
				t.Fatal(err)
			}
			tr.oneLane = oneLane
			data := make([]byte, 1<<20)
			for i := range chunks {
				chunk := &message.CheckpointChunk{Replica: 0, Op: 9, Size: chunks << 20, Offset: uint64(i) << 20, Data: data}
				if message.LaneOf(chunk) != message.LaneBulk || !tr.Send(1, chunk) {
					t.Fatal("a chunk was not queued on the bulk lane")
				}
			}
			if !tr.Send(1, &message.Commit{View: 1, Commit: 5}) {
				t.Fatal("the Commit was not queued")
			}
			startTransport2(t, tr)
			before := chunksBeforeCommit(t, arrivals, chunks)
			t.Logf("%d of %d chunks arrived before the Commit", before, chunks)
			if overtook := before < chunks; overtook == oneLane {
				t.Errorf("Commit after %d of %d chunks; want before the last: %v", before, chunks, !oneLane)
			}
		})
	}
}

// startTransport2 starts a transport made by New, closed at cleanup.
func startTransport2(t *testing.T, tr *Transport) {
	t.Helper()
	if err := tr.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
}

// chunksBeforeCommit waits for the Commit and returns how many chunks
// arrived before it.
func chunksBeforeCommit(t *testing.T, arrivals <-chan message.Type, chunks int) int {
	t.Helper()
	n := 0
	deadline := time.After(waitFor + time.Duration(chunks)*time.Second)
	for {
		select {
		case typ := <-arrivals:
			if typ == message.TypeCommit {
				return n
			}
			n++
		case <-deadline:
			t.Fatalf("no Commit after %d of %d chunks", n, chunks)
		}
	}
}
