package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
)

// ticksToSuspect runs a 3-replica cluster (heartbeat 2 ticks, view-change
// timeout 10 to 19 ticks), cuts the primary of view 0 off and, with hint,
// tells both backups that their connections with it ended, as the
// transport does when a primary's process is killed. It returns the ticks
// until a backup started a view change.
func ticksToSuspect(t *testing.T, bugs plant.Bugs, hint bool) int {
	t.Helper()
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(bugs) })
	c.tick(3)
	c.isolate(0)
	if hint {
		c.replicas[1].PeerLost(0)
		c.replicas[2].PeerLost(0)
	}
	for k := 1; k <= 200; k++ {
		c.tick(1)
		if c.info(1).Status != core.StatusNormal || c.info(2).Status != core.StatusNormal || c.info(1).View > 0 || c.info(2).View > 0 {
			return k
		}
	}
	t.Fatal("no backup suspected its primary in 200 ticks")
	return 0
}

// TestPeerLostShortensFailover: a backup told that its primary's
// connection ended suspects it after two heartbeats of silence, not after
// its view-change timeout; with the hint ignored (the planted old
// behaviour) it waits the whole timeout.
func TestPeerLostShortensFailover(t *testing.T) {
	with := ticksToSuspect(t, plant.Bugs{}, true)
	without := ticksToSuspect(t, plant.Bugs{}, false)
	planted := ticksToSuspect(t, plant.Bugs{IgnorePeerLost: true}, true)
	t.Logf("ticks to suspect the primary: %d with the hint, %d without, %d with the hint ignored", with, without, planted)
	if with > 5 {
		t.Fatalf("with the hint a backup suspected its primary after %d ticks, want at most 5 (2 heartbeats and a tick)", with)
	}
	if without < 10 || planted < 10 {
		t.Fatalf("without the hint (or ignoring it) a backup suspected its primary after %d (%d) ticks, before its timeout", without, planted)
	}
}

// TestPeerLostCancelledByContact: a hint about a primary that is alive
// (its connection ended, but it is heard again within the grace) starts
// no view change.
func TestPeerLostCancelledByContact(t *testing.T) {
	c := newCluster(t, 3)
	c.tick(3)
	c.replicas[1].PeerLost(0)
	c.replicas[2].PeerLost(0)
	c.tick(60)
	for i := 0; i < 3; i++ {
		if info := c.info(i); info.View != 0 || info.Status != core.StatusNormal {
			t.Fatalf("replica %d left view 0 after a hint about a live primary: %+v", i, info)
		}
	}
}

// TestPeerLostIgnoredBeyondThePrimary: hints about a backup, or heard by
// the primary, change nothing.
func TestPeerLostIgnoredBeyondThePrimary(t *testing.T) {
	c := newCluster(t, 3)
	c.tick(3)
	c.isolate(2)
	c.replicas[0].PeerLost(2)
	c.replicas[1].PeerLost(2)
	c.tick(9) // below the smallest view-change timeout
	for i := 0; i < 2; i++ {
		if info := c.info(i); info.View != 0 || info.Status != core.StatusNormal {
			t.Fatalf("replica %d left view 0 after a hint about a backup: %+v", i, info)
		}
	}
}
