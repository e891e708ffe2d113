package transport

import (
	"testing"
	"time"

	"github.com/vr-go/vr/message"
)

// TestPeerUpEndsTheBackOff: a replica that backed off from a peer not
// yet listening dials it again as soon as the peer connects to it, and
// delivers what it queued meanwhile, rather than a back-off later (a
// minute here: without the wake the message would miss the test's wait).
func TestPeerUpEndsTheBackOff(t *testing.T) {
	addrs := freeAddrs(t, 2)
	cfg := testConfig(t, 0, addrs)
	cfg.DialBackoffMin, cfg.DialBackoffMax = time.Minute, time.Minute
	a := startTransport(t, cfg)
	a.Send(1, &message.Commit{View: 1, Commit: 1})
	waitStat(t, a, "dial errors", func(s Stats) uint64 { return s.DialErrors }, 1)

	b := startTransport(t, testConfig(t, 1, addrs))
	b.Send(0, &message.Commit{View: 1, Commit: 2}) // b connects to a and names itself
	if in := receive(t, a); in.From != 1 {
		t.Fatalf("a received %+v, want b's Commit", in)
	}
	start := time.Now()
	in := receive(t, b)
	if m, ok := in.Msg.(*message.Commit); !ok || m.Commit != 1 || in.From != 0 {
		t.Fatalf("b received %+v, want a's queued Commit 1", in)
	}
	t.Logf("a's queued message reached b %v after b's reached a", time.Since(start).Round(time.Millisecond))
}
