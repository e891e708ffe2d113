package driver

import (
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// stalledBackup runs a backup (replica 1 of 3, view 0) whose loop stalls
// for ten view-change timeouts while its primary's Commit waits in its
// inbox, then drains it. It returns the backup's status after the drain,
// and after a second stall with nothing queued.
func stalledBackup(t *testing.T, bugs plant.Driver) (afterDrain, afterSilence core.Status) {
	t.Helper()
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 1}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	const period, vct = time.Millisecond, 50
	cfg := Config{Network: &sent{}, Period: period, ViewChangeTicks: vct}
	cfg.Plant(bugs)
	d := New(r, cfg)
	commit := func(sent uint64) func() (message.Message, bool) {
		queued := []message.Message{&message.Commit{View: 0, Sent: sent}}
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

// TestStalledBackupReadsInboxBeforeTimers: a backup whose loop stalled for
// longer than its view-change timeout reads the Commit its primary sent
// meanwhile before its timers fire, and stays in its view; when the
// primary is really silent the timeout fires. With the old order planted
// (TimersBeforeInbox) the same stall starts a view change.
func TestStalledBackupReadsInboxBeforeTimers(t *testing.T) {
	drained, silent := stalledBackup(t, plant.Driver{})
	if drained != core.StatusNormal {
		t.Errorf("after the stall and the queued Commit: status %v, want normal", drained)
	}
	if silent != core.StatusViewChange {
		t.Errorf("after a silent primary: status %v, want a view change", silent)
	}
	if planted, _ := stalledBackup(t, plant.Driver{TimersBeforeInbox: true}); planted != core.StatusViewChange {
		t.Errorf("planted TimersBeforeInbox: status %v after the stall, want a (spurious) view change", planted)
	}
}
