package core

import (
	"testing"

	"github.com/vr-go/vr/internal/plant"
)

// TestEpochResetsViewBackoff: a replica that enters a new epoch after
// views that failed in a row draws its next view-change timeout from the
// base again, not doubled up to 16 times (reconfig seed 168: the primary
// of the new epoch's view 0 had lost its state, and its backups suspected
// it only 1.6 s later). With the plant EpochKeepsBackoff the doubling
// stays.
func TestEpochResetsViewBackoff(t *testing.T) {
	for _, planted := range []bool{false, true} {
		cfg := Config{ReplicaCount: 3, Index: 1, Seed: 7, HeartbeatTicks: 2, ViewChangeTicks: 10, RetryTicks: 3, MaxSessions: 4}
		cfg.Plant(plant.Bugs{EpochKeepsBackoff: planted})
		r, err := New(cfg, nopMachine{})
		if err != nil {
			t.Fatal(err)
		}
		r.timers.backoff = maxBackoff // four views in a row failed
		next := NewMembership(3)
		next.Epoch = 1
		r.enterEpoch(next, 0, r.members)
		base := uint64(cfg.ViewChangeTicks)
		switch got := r.timers.viewTimeout; {
		case !planted && got >= 2*base:
			t.Errorf("timeout %d ticks in the new epoch, want below %d (the base, jittered)", got, 2*base)
		case planted && got < base<<maxBackoff:
			t.Errorf("planted: timeout %d ticks, want the doubled %d or more", got, base<<maxBackoff)
		}
	}
}
