package transport

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// TestLostAfterMessages: when a peer's process goes away, its connections
// end, and the receiver learns it (Inbound.Lost) after every message they
// carried: a killed primary's backups need not wait for a timeout.
func TestLostAfterMessages(t *testing.T) {
	trs, _ := startCluster(t, 2, nil)
	a, b := trs[0], trs[1]
	for c := uint64(1); c <= 3; c++ {
		a.Send(1, &message.Commit{View: 1, Commit: c})
	}
	for c := uint64(1); c <= 3; c++ {
		in := receiveAny(t, b)
		if m, ok := in.Msg.(*message.Commit); in.Lost || !ok || m.Commit != c || in.From != 0 {
			t.Fatalf("message %d: got %+v", c, in)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	in := receiveAny(t, b)
	if !in.Lost || in.From != 0 || in.Msg != nil {
		t.Fatalf("after the sender closed: got %+v, want Lost from 0", in)
	}
	// The counters follow the inbox: a notice is counted just after it is
	// queued (the same goroutine delivered the three messages before it).
	// Read at once, LostPeers was once still 0 under -race.
	waitStat(t, b, "lost peers", func(s Stats) uint64 { return s.LostPeers }, 1)
	if s := b.Stats(); s.Received != 3 || s.LostPeers == 0 {
		t.Fatalf("stats %+v: want 3 messages received and the loss counted apart", s)
	}
}

// TestNoLostWhenClosedHere: closing the receiving side reports nothing
// (the connections end because this replica stops, not its peer).
func TestNoLostWhenClosedHere(t *testing.T) {
	trs, _ := startCluster(t, 2, nil)
	a, b := trs[0], trs[1]
	a.Send(1, &message.Commit{View: 1, Commit: 1})
	receive(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for in := range b.Receive() {
		if in.Lost {
			t.Fatalf("a replica that closed its own transport reported %+v", in)
		}
	}
}
