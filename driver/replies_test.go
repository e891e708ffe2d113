package driver

import (
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// replied counts the replies sent, besides the messages.
type replied struct {
	sent
	replies []*message.Reply
}

func (s *replied) Reply(r *message.Reply) { s.replies = append(s.replies, r) }

// replyBeforeDurable commits a request on a primary whose writes stay
// pending (both backups acknowledge: the primary's own copy is not
// needed) and reports whether its reply left before the write of the
// Output that produced it was durable, and whether it left at all once
// every write was.
func replyBeforeDurable(t *testing.T, early bool) (before, after bool) {
	t.Helper()
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	net, st := &replied{}, &heldStorage{}
	d := New(r, Config{Network: net, Storage: st, Period: time.Millisecond, ViewChangeTicks: 50,
		EarlyPrepares: true, EarlyReplies: early})
	for _, b := range []uint8{1, 2} { // the backups join: the primary starts
		d.Step(0, &message.PrepareOK{Replica: b})
	}
	d.Flush()
	d.Step(0, &message.Request{ClientID: 7, RequestNum: 1, Kind: message.KindRegister})
	d.Flush()
	for _, b := range []uint8{1, 2} {
		d.Step(0, &message.PrepareOK{Replica: b, Op: 1})
	}
	d.Flush()
	before = len(net.replies) > 0
	for len(st.dones) > 0 {
		dones := st.dones
		st.dones = nil
		for _, done := range dones {
			done()
		}
	}
	return before, len(net.replies) > 0
}

// TestEarlyReplies: with EarlyReplies a reply to a committed request
// leaves with the Output that carries it; without, once its write is
// durable. Either way it leaves.
func TestEarlyReplies(t *testing.T) {
	if before, after := replyBeforeDurable(t, true); !before || !after {
		t.Fatalf("early replies: sent before the write %v, after %v; want true, true", before, after)
	}
	if before, after := replyBeforeDurable(t, false); before || !after {
		t.Fatalf("held replies: sent before the write %v, after %v; want false, true", before, after)
	}
}
