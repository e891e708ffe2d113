package sim

import "testing"

// TestTimersBeforeInboxCaught shows that the spurious-view-change check
// can fail: with the driver's old order planted (the timers that came due
// during a stall fire before the inputs queued meanwhile are read), random
// seeds of profile lease (slow steps of up to 400ms, twice the view-change
// timeout) have a backup time out while its primary's Prepares and Commits
// wait in its inbox, or a primary step down while its backups' PrepareOKs
// do (69 of seeds 1-100). The first failing seed passes with the inputs read
// first.
func TestTimersBeforeInboxCaught(t *testing.T) {
	opts := Options{Profile: "lease", TimersBeforeInbox: true}
	seed, v := firstViolation(opts)
	if v == nil || v.Kind != KindSpuriousViewChange {
		t.Fatalf("seed %d: got %v, want a spurious view change within %d seeds", seed, v, maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	opts.TimersBeforeInbox, opts.Seed = false, seed
	if _, err := Run(opts); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}
