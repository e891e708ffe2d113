package transport

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
)

const (
	testCluster = 7
	waitFor     = 10 * time.Second
)

// freeAddrs returns n distinct loopback addresses that were free a moment
// ago (the kernel picked them for port 0).
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = ln.Addr().String()
		defer ln.Close()
	}
	return addrs
}

// testConfig returns the config of replica self of peers.
func testConfig(t testing.TB, self int, peers []string) Config {
	return Config{
		ClusterID:      testCluster,
		Self:           self,
		Peers:          peers,
		IOTimeout:      2 * time.Second,
		DialBackoffMin: 5 * time.Millisecond,
		DialBackoffMax: 100 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

// startTransport creates and starts a transport, closed at cleanup.
func startTransport(t testing.TB, cfg Config) *Transport {
	t.Helper()
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// startCluster starts n transports on fresh loopback ports. It retries
// when a port picked by freeAddrs was taken in the meantime.
func startCluster(t testing.TB, n int, edit func(*Config)) ([]*Transport, []string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		addrs := freeAddrs(t, n)
		trs, err := tryCluster(t, addrs, edit)
		if err == nil {
			return trs, addrs
		}
		if !errors.Is(err, syscall.EADDRINUSE) || attempt == 3 {
			t.Fatal(err)
		}
	}
}

// tryCluster starts one transport per address, or none.
func tryCluster(t testing.TB, addrs []string, edit func(*Config)) ([]*Transport, error) {
	trs := make([]*Transport, len(addrs))
	for i := range addrs {
		cfg := testConfig(t, i, addrs)
		if edit != nil {
			edit(&cfg)
		}
		tr, err := New(cfg)
		if err == nil {
			err = tr.Start(context.Background())
		}
		if err != nil {
			for _, s := range trs[:i] {
				_ = s.Close()
			}
			return nil, err
		}
		trs[i] = tr
		t.Cleanup(func() { _ = tr.Close() })
	}
	return trs, nil
}

// receive waits for the next inbound message of tr, passing over reports
// of ended connections (Inbound.Lost: an idle link's close is one).
func receive(t testing.TB, tr *Transport) Inbound {
	t.Helper()
	for {
		if in := receiveAny(t, tr); !in.Lost {
			return in
		}
	}
}

// receiveAny waits for the next Inbound of tr, a Lost report included.
func receiveAny(t testing.TB, tr *Transport) Inbound {
	t.Helper()
	tm := time.NewTimer(waitFor)
	defer tm.Stop()
	select {
	case in, ok := <-tr.Receive():
		if !ok {
			t.Fatal("receive channel closed")
		}
		return in
	case <-tm.C:
		t.Fatalf("nothing received within %v", waitFor)
	}
	return Inbound{}
}

// entries returns n consecutive log entries starting at op first.
func entries(first uint64, n int) []message.Entry {
	es := make([]message.Entry, n)
	for i := range es {
		op := first + uint64(i)
		es[i] = message.Entry{Op: op, View: 2, ClientID: 9, RequestNum: op, Payload: []byte{byte(op), 1, 2}}
	}
	return es
}

// peerMessages returns one message of every type replica from may send.
func peerMessages(from uint8) []message.Message {
	return []message.Message{
		&message.Prepare{View: 2, Commit: 3, Entries: entries(4, 2)},
		&message.PrepareOK{View: 2, Op: 5, Replica: from},
		&message.Commit{View: 2, Commit: 5},
		&message.StartViewChange{View: 3, Replica: from},
		&message.DoViewChange{View: 3, LastNormalView: 2, Op: 3, Commit: 1, Replica: from, Log: entries(1, 3)},
		&message.StartView{View: 3, Op: 2, Commit: 1, Log: entries(1, 2)},
		&message.Recovery{Replica: from, Nonce: 77},
		&message.RecoveryResponse{View: 3, Nonce: 77, Op: 1, Commit: 1, Replica: from, Log: entries(1, 1)},
		&message.GetState{View: 3, Op: 1, Replica: from},
		&message.NewState{View: 3, Op: 3, Commit: 2, Replica: from, Entries: entries(2, 2)},
	}
}
