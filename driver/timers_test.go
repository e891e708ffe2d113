package driver

import (
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// stalled runs replica index of 3 in view 0 (0 is the primary) whose loop
// stalls for ten view-change timeouts while what its peers sent meanwhile
// waits in its inbox, then drains it: a backup gets its primary's Commit,
// the primary a PrepareOK from backup 1. It returns the replica's status
// after the drain, and after a second stall with nothing queued.
func stalled(t *testing.T, index int, bugs plant.Driver) (afterDrain, afterSilence core.Status) {
	t.Helper()
	r, err := core.New(core.Config{ReplicaCount: 3, Index: index}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	const period, vct = time.Millisecond, 50
	cfg := Config{Network: &sent{}, Period: period, ViewChangeTicks: vct}
	cfg.Plant(bugs)
	d := New(r, cfg)
	commit := func(sent uint64) func() (message.Message, bool) {
		queued := []message.Message{&message.Commit{View: 0, Sent: sent}}
		if index == 0 {
			queued = []message.Message{&message.PrepareOK{View: 0, Replica: 1, Echo: sent}}
		}
		return func() (message.Message, bool) {
			if len(queued) == 0 {
				return nil, false
			}
			m := queued[0]
			queued = queued[1:]
			return m, true
		}
	}
	at := time.Duration(0)
	for range 20 { // normal operation: a Commit every 10 ms
		at += 10 * period
		d.Drain(func() time.Duration { return at }, commit(uint64(at/period)), 10)
	}
	if s := r.Info().Status; s != core.StatusNormal {
		t.Fatalf("status %v in normal operation", s)
	}
	// The stall: the Commit the primary sent meanwhile waits in the inbox.
	stallEnd := at + 10*vct*period
	d.Drain(func() time.Duration { return stallEnd }, commit(uint64(stallEnd/period)-5), 10)
	afterDrain = r.Info().Status
	// The primary is silent from now on: the timeout must still fire.
	d.CatchUp(stallEnd + 10*vct*period)
	d.Flush()
	return afterDrain, r.Info().Status
}

// TestStalledReplicaReadsInboxBeforeTimers: a backup whose loop stalled
// for longer than its view-change timeout reads the Commit its primary
// sent meanwhile before its timers fire, and stays in its view; so does a
// primary with a backup's PrepareOK. When the peers are really silent the
// timeout fires. With the old order planted (TimersBeforeInbox) the same
// stall starts a view change.
func TestStalledReplicaReadsInboxBeforeTimers(t *testing.T) {
	for _, index := range []int{1, 0} {
		drained, silent := stalled(t, index, plant.Driver{})
		if drained != core.StatusNormal {
			t.Errorf("replica %d after the stall and the queued message: status %v, want normal", index, drained)
		}
		if silent != core.StatusViewChange {
			t.Errorf("replica %d after silent peers: status %v, want a view change", index, silent)
		}
		if planted, _ := stalled(t, index, plant.Driver{TimersBeforeInbox: true}); planted != core.StatusViewChange {
			t.Errorf("replica %d, planted TimersBeforeInbox: status %v after the stall, want a (spurious) view change", index, planted)
		}
	}
}
