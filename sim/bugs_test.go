package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/plant"
)

// maxBugSeeds bounds how many seeds a planted bug may survive.
const maxBugSeeds = 200

// TestPlantedBugsCaught proves the checks can fail: each planted core bug,
// run under the fault profile that provokes it, must be reported within
// maxBugSeeds seeds.
func TestPlantedBugsCaught(t *testing.T) {
	cases := []struct {
		bug      string
		profile  string
		replicas int
	}{
		{"commit-one-short", "all", 0},
		{"dvc-by-op-only", "split-brain", 0},
		{"recovery-in-view-change", "stale", 0},
		{"truncate-on-new-view", "stale-learner", 3},
		{"no-stickiness", "isolate", 0},
		{"skip-checkpoint-fetch", "checkpoint", 0},
		// The quorum-saved cut keeps the primary from cutting past the
		// lagging backups, so this schedule needs the older rule off too:
		// truncate-at-own-checkpoint alone fails 0 of these 100 seeds,
		// both together 8 (docs/testing.md).
		{"jump-over-held-log,truncate-at-own-checkpoint", "lost-checkpoint", 3},
		{"truncate-at-own-checkpoint", "lagging-backups", 3},
		{"stateless-drops-committed", "lagging-backups", 3},
		{"recovery-ignores-announced", "stale-dvc", 3},
		{"no-start-gate", "bootstrap", 0},
		{"checkpoint-by-ops-only", "large", 0},
		{"witness-may-lead", "witness", 0},
		{"witness-serves-state", "witness", 0},
		{"witness-metadata-only", "witness", 0},
		{"delta-skips-replaced", "large", 0},
		{"register-reopens-evicted", "sessions", 0},
		{"drop-early-prepares", "lanes", 0},
		{"retry-after-idle", "lanes", 0},
	}
	for _, c := range cases {
		t.Run(c.bug, func(t *testing.T) {
			bugs, err := ParseBugs(c.bug)
			if err != nil {
				t.Fatal(err)
			}
			seed, v := firstViolation(Options{Profile: c.profile, Replicas: c.replicas, Bugs: bugs})
			if v == nil {
				t.Fatalf("planted bug %s not caught in %d seeds of profile %s", c.bug, maxBugSeeds, c.profile)
			}
			t.Logf("caught at seed %d: %v", seed, v)
		})
	}
	// LeaseIgnoresDrift needs clocks at the edges of the bound and a
	// primary cut off with readers; TestScenarioLease plays that.
	// The reconfiguration plants have a test of their own
	// (TestReconfigPlantsCaught).
	// The standby plants too (TestStandbyPlantsCaught).
	// ProvenViewKeepsTimeout slows a failover after a run of failed views
	// down; random seeds rarely meet that late enough to miss the liveness
	// deadline (all seed 1296; none of all 1-1000): a core test plays it
	// (TestProvenViewSuspectsAtBaseTimeout).
	// install-unverified is caught with the driver's DeltaFromOtherChain
	// (TestDeltaFromOtherChainCaught) and by core's
	// TestInstallVerifiesBeforeRestore.
	// epoch-keeps-backoff was found at reconfig seed 168 (1 of seeds
	// 1-300 fails with it); core's TestEpochResetsViewBackoff plays it.
	// epoch-checkpoint-while-installing was found at reconfig seed 103262
	// of a long run, before the administrator's draws changed; no random
	// seed finds it since (docs/testing.md): core's
	// TestEpochCheckpointNotOfferedWhileInstalling plays it.
	// fetch-restarts (a fetch that starts over at every newer checkpoint)
	// needs a fetch several checkpoints long on links much faster than the
	// writes; no profile plays that yet (docs/testing.md): core's
	// TestFetchContinuesInANewerCheckpoint and TestLogJumpKeepsTheFetch
	// and driver's TestServeContinuesInANewerCheckpointOfTheChain do.
	if len(cases)+6+len(bandwidthPlants)+len(reconfigPlants)+len(standbyPlants) != len(AllBugNames()) {
		t.Fatalf("%d bug cases (+6 elsewhere) for %d planted bugs", len(cases), len(AllBugNames()))
	}
}

// firstViolation runs seeds 1.. until a violation, at most maxBugSeeds.
func firstViolation(opts Options) (uint64, *Violation) {
	return firstViolationWithin(opts, maxBugSeeds)
}

// firstViolationWithin runs seeds 1.. until a violation, at most n.
func firstViolationWithin(opts Options, n uint64) (uint64, *Violation) {
	return firstViolationFrom(opts, 1, n)
}

// firstViolationFrom runs seeds from, from+1, ... until a violation, at
// most n of them.
func firstViolationFrom(opts Options, from, n uint64) (uint64, *Violation) {
	for seed := from; seed < from+n; seed++ {
		opts.Seed = seed
		_, err := Run(opts)
		var v *Violation
		if errors.As(err, &v) {
			return seed, v
		}
	}
	return 0, nil
}

// TestNoStickinessIsDisruption checks that the stale-view bug is reported
// as what it is, a disruption of a healthy quorum, and that the same seeds
// pass with the bug off.
func TestNoStickinessIsDisruption(t *testing.T) {
	opts := Options{Profile: "isolate", Bugs: plant.Bugs{NoStickiness: true}}
	seed, v := firstViolation(opts)
	if v == nil || v.Kind != KindDisruption {
		t.Fatalf("seed %d: got %v, want a disruption", seed, v)
	}
	opts.Bugs, opts.Seed = plant.Bugs{}, seed
	if _, err := Run(opts); err != nil {
		t.Fatalf("seed %d fails without the bug: %v", seed, err)
	}
}

// TestSendBeforeDurableCaught shows that durable mode's checks fail when a
// driver lets messages leave before the writes they depend on are durable:
// whole-cluster crashes then lose acknowledged, committed ops.
func TestSendBeforeDurableCaught(t *testing.T) {
	fc := frequentClusterCrashes(t)
	seed, v := firstViolation(Options{Faults: fc, SendBeforeDurable: true})
	if v == nil {
		t.Fatalf("sending before durable not caught in %d seeds", maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Faults: fc, Seed: seed}); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// TestTruncateBeforeCheckpointCaught shows that durable mode's checks fail
// when a driver drops its log up to a checkpoint before the checkpoint is
// durable: a whole-cluster crash then leaves no replica with the state.
func TestTruncateBeforeCheckpointCaught(t *testing.T) {
	fc := frequentClusterCrashes(t)
	// The log goes early, but in the same write as the checkpoint: only a
	// crash of every replica while each writes it loses the state. With
	// a disk slow throughout on one replica in a quarter of the runs (the
	// durable profile's), none of seeds 1-200 failed (not analysed; a
	// replica that lags may still hold the log the others truncated):
	// none here. Rare: seed 75 was the first until issue 9's view-change
	// timer changed the runs, seed 427 since, so it gets more seeds.
	fc.CrashInCheckpoint, fc.SlowReplica = 1, 0
	seed, v := firstViolationWithin(Options{Faults: fc, TruncateBeforeCheckpoint: true}, 3*maxBugSeeds)
	if v == nil {
		t.Fatalf("truncating before the checkpoint is durable not caught in %d seeds", 3*maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Faults: fc, Seed: seed}); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// TestClockOncePerDrainCaught shows that the history check fails when the
// driver reads its clock once per drain (review finding C): in the
// stalled-backup episode, a backup accepts its primary's Commits after a
// slow step with the clock of before it, its lease promise and its
// stickiness run out too early, and a new view commits writes while the
// old primary still answers reads under its lease. The same seed passes
// with the clock caught up before each input.
func TestClockOncePerDrainCaught(t *testing.T) {
	opts := Options{Profile: "stalled-backup", Replicas: 3, ClockOncePerDrain: true}
	seed, v := firstViolation(opts)
	if v == nil || v.Kind != KindLinearizability {
		t.Fatalf("seed %d: got %v, want a linearizability violation within %d seeds", seed, v, maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	opts.ClockOncePerDrain, opts.Seed = false, seed
	if _, err := Run(opts); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// frequentClusterCrashes is the durable profile with a whole-cluster crash
// every 150ms on average, and during almost a third of the checkpoint
// writes: driver bugs that only a crash of every replica exposes show
// within a few dozen seeds.
func frequentClusterCrashes(t *testing.T) FaultConfig {
	fc, err := Profile("durable")
	if err != nil {
		t.Fatal(err)
	}
	fc.Name, fc.MeanClusterCrashGap = "durable-frequent-cluster-crashes", 150*time.Millisecond
	fc.CrashInCheckpoint = 0.3
	return fc
}

// TestIgnoreSyncRecordsCaught shows that random seeds of the disk profile
// catch review finding B on the real write-ahead log: with the sync
// records planted away, bits rotted in the last synced group are cut as a
// torn write, and the replica resumes from its disk without what it
// promised (a quorum without the op then forms a view).
func TestIgnoreSyncRecordsCaught(t *testing.T) {
	fc, err := Profile("disk")
	if err != nil {
		t.Fatal(err)
	}
	seed, v := firstViolation(Options{Faults: fc, IgnoreSyncRecords: true})
	if v == nil {
		t.Fatalf("sync records ignored, not caught in %d seeds", maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Faults: fc, Seed: seed}); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// TestLyingFsyncCaught shows that the checks catch a disk whose fsync
// reports success without making the data durable — a fault outside the
// model (a replica that resumes from such a disk has forgotten promises
// it made), which no profile runs: with whole-cluster crashes, a lost
// acknowledged write or a lost promise is reported. The same seed passes
// with an honest disk.
func TestLyingFsyncCaught(t *testing.T) {
	fc := frequentClusterCrashes(t)
	fc.FsyncLies = 0.3
	seed, v := firstViolation(Options{Faults: fc})
	if v == nil {
		t.Fatalf("a disk whose fsync lies not caught in %d seeds", maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	fc.FsyncLies = 0
	if _, err := Run(Options{Faults: fc, Seed: seed}); err != nil {
		t.Fatalf("the same seed fails with an honest disk: %v", err)
	}
}

// TestBandwidthPlantsCaught shows that the liveness fixes for large
// messages on slow links matter: with each old behaviour planted, random
// seeds of profile bandwidth fail (views thrash, requests go unanswered
// after the heal), and the first failing seed passes without the plant.
// single-lane is the network model before the control and bulk lanes
// (docs/protocol.md, "Lanes"): heartbeats wait behind megabytes.
// view-timer-ignores-progress fails about 1 seed in 700 of the profile
// (seed 1483 is the first); on links of half the profile's bandwidth
// (--bandwidth 20), where a 3 MiB DoViewChange and its StartView take
// 300 ms against a base timeout of 100 ms, a third of the seeds fail
// with it, and seed 1 is caught. The view-change timer that watches
// progress also covers much of what reset-backoff-on-new-view,
// single-lane and transfer-before-start-view break: at the profile's
// bandwidth none of them is caught in 200 seeds any more, so they run on
// the slower links too. fetch-pinned (a checkpoint fetch that waits a
// retry at every replica for a checkpoint they all replaced) failed seed
// 90052 of the profile in 1,750 (the first in that range); on the slower
// links it was caught at seed 21, and at seed 127 since the two rules
// against repeated copies of the log (the first failing seeds of the
// others moved too: docs/testing.md, "Planted bugs"). Those two rules'
// plants, answer-every-repeat (a new copy of a large RecoveryResponse or
// NewState for every repeat of its request) and ask-while-arriving (a
// backup asks for the ops a Commit shows it lacks while their Prepares
// are under way), swamp the 20 MiB/s links with copies of the log; they
// are caught at seeds 9 and 21 there. retransmit-every-retry, caught at
// seed 37 of the profile's links since those rules, runs on the slower
// links too, where seed 1 catches it (24 of seeds 1-30 fail with it).
func TestBandwidthPlantsCaught(t *testing.T) {
	for _, c := range bandwidthPlants {
		name := c.bug
		if c.mib != 0 {
			name = fmt.Sprintf("%s-%dMiB", c.bug, c.mib)
		}
		t.Run(name, func(t *testing.T) {
			bugs, err := ParseBugs(c.bug)
			if err != nil {
				t.Fatal(err)
			}
			// The profile's residual failures fail with or without the
			// plant; the plant is caught by a seed that passes without it.
			opts := Options{Profile: "bandwidth", BandwidthMiB: c.mib, Bugs: bugs}
			for seed := max(1, c.from); seed < max(1, c.from)+maxBugSeeds; seed++ {
				opts.Seed = seed
				_, err := Run(opts)
				var v *Violation
				if !errors.As(err, &v) {
					continue
				}
				if _, err := Run(Options{Profile: "bandwidth", BandwidthMiB: c.mib, Seed: seed}); err != nil {
					t.Logf("seed %d fails without the plant too: %v", seed, err)
					continue
				}
				t.Logf("caught at seed %d: %v", seed, v)
				return
			}
			t.Fatalf("planted bug %s not caught in %d seeds of profile bandwidth from seed %d by a seed that passes without it", c.bug, maxBugSeeds, max(1, c.from))
		})
	}
}

// bandwidthPlants are the planted bugs TestBandwidthPlantsCaught covers,
// each on the profile's links or, if mib is set, on links of mib MiB/s,
// from seed from (0: seed 1). fetch-pinned starts at 590: since a fetch
// goes on in a newer checkpoint of its chain (which the plant turns off
// too) the schedules moved, and of seeds 1-1000 only 599 fails with it and
// passes without (127 was the first before; the 12 others that fail with
// it fail without it too, the profile's residual at 20 MiB/s); when the
// schedules change the test fails and says so, and the seed must be found
// again (as in reconfigFrom).
var bandwidthPlants = []struct {
	bug  string
	mib  int
	from uint64
}{
	{"reset-backoff-on-new-view", 20, 0}, {"retransmit-every-retry", 20, 0}, {"single-lane", 20, 0},
	{"transfer-before-start-view", 20, 0}, {"view-timer-ignores-progress", 20, 0},
	{"fetch-pinned", 20, 590}, {"answer-every-repeat", 20, 0}, {"ask-while-arriving", 20, 0},
}

// TestDiskFaultPlantsCaught shows that each disk fault of the disk
// profile matters: with the code that handles it planted away, random
// seeds of the profile fail, and the same seed passes with the real code.
//   - EIO and ENOSPC on writes and syncs: the log ignores the error and
//     acknowledges what never reached the disk (IgnoreIOErrors);
//   - EIO on reads: the log replays what was read before the error as
//     the whole segment, and cuts the rest as torn (ShortReadIsEnd);
//   - misdirected writes: the log takes zeros for its end, so the gap a
//     write that landed too far leaves before it hides synced groups
//     (ZeroIsEnd);
//   - a slow disk on one replica: the primary counts its own copy before
//     it is durable (AckBeforeDurable).
//
// The last two are rare (about 1 seed in 100 of disk: a read error must
// hit the newest segment above its last mark; an op must be lost by the
// slow primary and by f backups at once), so they get more seeds. Without
// its fault, no plant failed any of seeds 1-200 (docs/testing.md).
func TestDiskFaultPlantsCaught(t *testing.T) {
	cases := []struct {
		name  string
		plant func(*Options)
		seeds uint64
	}{
		{"wal-ignore-io-errors", func(o *Options) { o.IgnoreIOErrors = true }, maxBugSeeds},
		{"wal-zero-is-end", func(o *Options) { o.ZeroIsEnd = true }, maxBugSeeds},
		{"wal-short-read-is-end", func(o *Options) { o.ShortReadIsEnd = true }, 3 * maxBugSeeds},
		{"driver-ack-before-durable", func(o *Options) { o.AckBeforeDurable = true }, 3 * maxBugSeeds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Profile: "disk"}
			c.plant(&opts)
			seed, v := firstViolationWithin(opts, c.seeds)
			if v == nil {
				t.Fatalf("%s not caught in %d seeds of disk", c.name, c.seeds)
			}
			t.Logf("caught at seed %d: %v", seed, v)
			if _, err := Run(Options{Profile: "disk", Seed: seed}); err != nil {
				t.Fatalf("the same seed fails without the planted bug: %v", err)
			}
		})
	}
}

// TestReconfigPlantsCaught shows that the reconfiguration checks can fail:
// with each planted bug, random seeds of profile reconfig fail, and the
// first failing seed passes without the plant.
//   - epoch-from-message: a new member takes the epoch from StartEpoch and
//     claims the epoch's first state without fetching it (its state
//     digest differs);
//   - epoch-keeps-view: a replica enters a new epoch in the view it was
//     in, not view 0 (the epoch check);
//   - retire-early: a leaving replica reports it may shut down before
//     f'+1 new members started (the epoch check);
//   - op-after-reconfig: the primary appends client ops after the
//     RECONFIGURATION of its epoch (the epoch check, when such an op
//     commits in the old epoch; or the core's assertion at the move);
//   - lease-across-epochs: the primary that moved to a new epoch answers
//     reads under its old lease while the new epoch commits writes (the
//     history check; about 1 seed in 20: the profile's eager clients
//     find the new primary within the old lease);
//   - admit-new-majority: the primary admits a configuration whose new
//     members are a majority of its voting members (the epoch check on
//     an admitted move; without it, the liveness check: the new members
//     all recover once they joined and the epoch has too few normal
//     members to answer them);
//   - refusal-off-the-log: the primary answers a RECONFIGURATION it
//     refuses because a member lags (RefuseNewMajority,
//     RefuseStandbyLagging) off the log, and a later primary of the epoch
//     admits a copy of it still in the network after the administrator
//     was told it is refused (the refusal check, refusals.go: 6 of seeds
//     1-1000, the first at seed 100; 29 of 1-4000). Reconfig seed 200132
//     with 5 replicas met it as a liveness failure: the refused move,
//     admitted later, started its epoch while a member the crash
//     scheduler had let go (the administrator was no longer busy) was
//     down, beyond f' (TestRefusedReconfigSeed200132);
//   - new-witness-holds: the primary counts a witness the configuration
//     adds among the f'+1 members that take part in the new epoch at once
//     (the epoch check on an admitted move: 5 of seeds 1-300, the first
//     at seed 77, all by the administrator's plan that puts two witnesses
//     and a full replica in place of a member);
//   - demoted-holds: the primary counts a full replica the configuration
//     demotes to a standby among the f'+1 voting members that hold the
//     state (the epoch check on an admitted move: 34 of seeds 1-300, the
//     first at seed 9, by the administrator's plan that demotes two of
//     three full replicas and adds two new ones);
//   - joiner-in-view-0: a joiner that installed a checkpoint above its
//     epoch's first op enters view 0 with commits of a later view (the
//     commit-view check; 26 of seeds 1-1000, the first at seed 45;
//     reconfig-durable 64 of 1000).
//   - execute-while-installing: a replica whose driver installs a fetched
//     checkpoint off its step uses its state machine meanwhile (a
//     StartEpoch makes it join the epoch, restoring and checkpointing
//     the state machine the install is restoring: the install check).
func TestReconfigPlantsCaught(t *testing.T) {
	for _, bug := range reconfigPlants {
		t.Run(bug, func(t *testing.T) { caughtInReconfig(t, bug) })
	}
}

// caughtInReconfig runs seeds of profile reconfig with bug planted until
// one fails, checks that seed passes without the plant, and returns the
// violation.
func caughtInReconfig(t *testing.T, bug string) *Violation {
	t.Helper()
	bugs, err := ParseBugs(bug)
	if err != nil {
		t.Fatal(err)
	}
	from := max(1, reconfigFrom[bug])
	seed, v := firstViolationFrom(Options{Profile: "reconfig", Bugs: bugs}, from, maxBugSeeds)
	if v == nil {
		t.Fatalf("planted bug %s not caught in %d seeds of profile reconfig from seed %d", bug, maxBugSeeds, from)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Profile: "reconfig", Seed: seed}); err != nil {
		t.Fatalf("seed %d fails without the plant too: %v", seed, err)
	}
	return v
}

// reconfigFrom is the first seed TestReconfigPlantsCaught runs for a
// plant that random seeds catch rarely (0: seed 1), so that the test stays
// short. new-witness-holds fails 5 of 1-300 (77, 119, ...).
// execute-while-installing fails 10 of seeds 1-2000 (40, 505, 657, ...)
// since the retained log and the repeat-answer rules; the seeds that
// catch such rare plants move whenever the schedules change, which is
// why this map is short and says where each seed came from.
// refusal-off-the-log fails 9 of seeds 1-2000 (424, 443, 465, ...) since
// crashed replicas' peers learn of the crash from their closed
// connections (peerlost.go); 29 of 1-4000 (100, ...) before.
var reconfigFrom = map[string]uint64{"new-witness-holds": 71, "refusal-off-the-log": 420}

// reconfigPlants are the planted bugs TestReconfigPlantsCaught covers.
var reconfigPlants = []string{"epoch-from-message", "epoch-keeps-view", "retire-early", "op-after-reconfig",
	"lease-across-epochs", "admit-new-majority", "joiner-in-view-0", "execute-while-installing", "new-witness-holds",
	"demoted-holds", "refusal-off-the-log"}

// TestRefusedReconfigSeed200132: the reconfig seed that found
// refusal-off-the-log (as a liveness failure: an epoch that started beyond
// its f') passes. It also failed with the plant until the eighth session
// of issue 10, whose held Prepares and retransmission timing moved its
// schedule away from the refusal; TestReconfigPlantsCaught still catches
// the plant from seed 420.
func TestRefusedReconfigSeed200132(t *testing.T) {
	opts := Options{Profile: "reconfig", Replicas: 5, Seed: 200132}
	if _, err := Run(opts); err != nil {
		t.Fatalf("reconfig seed 200132: %v", err)
	}
}

// TestWitnessPlantsCaughtInReconfig: the witness checks stay on while
// witnesses come and go by reconfiguration. Random seeds of profile
// reconfig, whose administrator adds and removes witnesses in half of the
// runs (reconfig_roles.go), fail with the witness plants, by the witness
// checks, and the first failing seed passes without the plant.
func TestWitnessPlantsCaughtInReconfig(t *testing.T) {
	for _, bug := range []string{"witness-may-lead", "witness-serves-state"} {
		t.Run(bug, func(t *testing.T) {
			if v := caughtInReconfig(t, bug); v.Kind != KindWitness && v.Kind != KindPanic {
				t.Fatalf("%v, want a %s violation", v, KindWitness)
			}
		})
	}
}

// TestStandbyPlantsCaught shows that the standby checks can fail: with
// each planted bug, random seeds of profile reconfig (whose administrator
// adds, removes and promotes standbys) fail, and the first failing seed
// passes without the plant.
//   - standby-in-quorum: the primary counts a standby's PrepareOK toward
//     the f+1 that commit an op (the quorum check: a commit on fewer than
//     f+1 voting members);
//   - standby-primary: the primary function ranges over the standbys too
//     (a replica takes a standby for a view's primary, or a standby serves
//     state as the view's primary would).
func TestStandbyPlantsCaught(t *testing.T) {
	for _, bug := range standbyPlants {
		t.Run(bug, func(t *testing.T) {
			if v := caughtInReconfig(t, bug); v.Kind != KindStandby {
				t.Fatalf("%v, want a %s violation", v, KindStandby)
			}
		})
	}
}

// standbyPlants are the planted bugs TestStandbyPlantsCaught covers.
var standbyPlants = []string{"standby-in-quorum", "standby-primary"}

// TestRegisterReopensEvictedCaught: reconfig seed 1287, where a delayed
// Register re-opened an evicted session and a retransmitted CAS ran
// twice, passes; with the old behaviour planted, random seeds of profile
// sessions fail within a few, by the at-most-once check (or the
// linearizability check at the end). Seed 1287 itself no longer plays
// that schedule since later changes moved its runs; the core test
// TestReplayedRegisterCannotReopenEvictedSession scripts it.
func TestRegisterReopensEvictedCaught(t *testing.T) {
	if _, err := Run(Options{Profile: "reconfig", Replicas: 3, Seed: 1287}); err != nil {
		t.Fatalf("reconfig seed 1287: %v", err)
	}
	bugs := plant.Bugs{RegisterReopensEvicted: true}
	seed, v := firstViolationWithin(Options{Profile: "sessions", Bugs: bugs}, 20)
	if v == nil || (v.Kind != KindAtMostOnce && v.Kind != KindLinearizability) {
		t.Fatalf("register-reopens-evicted not caught as a double execution in 20 seeds of profile sessions: seed %d %v", seed, v)
	}
	if _, err := Run(Options{Profile: "sessions", Seed: seed}); err != nil {
		t.Fatalf("sessions seed %d fails without the plant too: %v", seed, err)
	}
	t.Logf("sessions: caught at seed %d: %v", seed, v)
}

// TestDeltaFromOtherChainCaught shows that the records a replica fetches
// after the chain it holds are checked before they are installed: with a
// server that serves the records after the wrong link
// (plant.Driver.DeltaFromOtherChain) and an install that restores before
// it verifies the assembled chain (plant.Bugs.InstallUnverified), random
// seeds of lagging-backups fail; the same seed passes with the real code.
// Either plant alone passes them: the verification refuses the joined
// chain and the replica fetches again (a whole chain from a replica whose
// chain lacks the link, or the records from a correct one), and without
// the wrong records there is nothing for an unverified install to get
// wrong (core's TestInstallVerifiesBeforeRestore covers that plant).
func TestDeltaFromOtherChainCaught(t *testing.T) {
	opts := Options{Profile: "lagging-backups", Replicas: 3, DeltaFromOtherChain: true,
		Bugs: plant.Bugs{InstallUnverified: true}}
	seed, v := firstViolation(opts)
	if v == nil {
		t.Fatalf("delta-from-other-chain not caught in %d seeds of lagging-backups", maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Profile: "lagging-backups", Replicas: 3, Seed: seed}); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// TestRetainAppendedCaught shows that a lagging backup's catch-up from a
// retained log is checked: a driver that retains the entries its replica
// appended, not only those it executed (plant.Driver.RetainAppended),
// serves entries its primary has not committed, the backup commits them,
// and random seeds of lagging-log fail; the same seed passes with the
// real code, and catches up from the retained log.
func TestRetainAppendedCaught(t *testing.T) {
	clean := Options{Profile: "lagging-log", Replicas: 3}
	planted := clean
	planted.RetainAppended = true
	seed, res := caughtThenClean(t, "retain-appended", planted, clean)
	if res.LogCatchUps == 0 {
		t.Fatalf("seed %d: no backup caught up from a retained log", seed)
	}
}

// TestKVFreeAtOnceCaught shows that the simulator exercises the kv
// store's slabs: its stores use small slabs (kvLayout), so they compact
// and drop slabs while the notes of the next delta name records; with
// the bug that drops an emptied slab at once (plant.KV.FreeAtOnce), a
// delta names records of a slab that is gone or reused, and random seeds
// of the durable profile (checkpoints saved as deltas) fail; the same
// seed passes with the real code.
func TestKVFreeAtOnceCaught(t *testing.T) {
	opts := Options{Profile: "durable", KVFreeAtOnce: true}
	seed, v := firstViolation(opts)
	if v == nil {
		t.Fatalf("kv free-at-once not caught in %d seeds of durable", maxBugSeeds)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if _, err := Run(Options{Profile: "durable", Seed: seed}); err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
}

// TestNeverAskedCaught shows that the simulator runs the diskless
// replicas' lazy savers (driver.LazySaves, as the node's): a checkpoint
// taken while no peer fetches one is kept, not written, and written when a
// peer's GetCheckpoint asks. With the driver bug that never tells the
// saver (plant.Driver.NeverAsked), a backup that fell behind the
// checkpoints gets none, and random seeds of lagging-backups fail; the
// same seed passes with the real code, in which kept checkpoints were
// written for a peer.
func TestNeverAskedCaught(t *testing.T) {
	clean := Options{Profile: "lagging-backups", Replicas: 3}
	planted := clean
	planted.NeverAsked = true
	seed, res := caughtThenClean(t, "never-asked", planted, clean)
	if res.CheckpointsKept == 0 || res.CheckpointsWanted == 0 {
		t.Fatalf("seed %d: %d checkpoints kept, %d of them written for a peer; want both > 0",
			seed, res.CheckpointsKept, res.CheckpointsWanted)
	}
}

// caughtThenClean finds the first seed at which planted fails (within
// maxBugSeeds), checks that clean, the same options without the plant,
// passes at that seed, and returns the seed and the clean run's result.
func caughtThenClean(t *testing.T, bug string, planted, clean Options) (uint64, Result) {
	t.Helper()
	seed, v := firstViolation(planted)
	if v == nil {
		t.Fatalf("%s not caught in %d seeds of %s", bug, maxBugSeeds, planted.Profile)
	}
	t.Logf("caught at seed %d: %v", seed, v)
	if got, want := replayedBugs(t, v.Replay), plantedNames(planted); !slices.Equal(got, want) {
		t.Errorf("the replay command %q plants %v, want %v", v.Replay, got, want)
	}
	clean.Seed = seed
	res, err := Run(clean)
	if err != nil {
		t.Fatalf("the same seed fails without the planted bug: %v", err)
	}
	return seed, res
}

// replayedBugs returns the bugs that a replay command's --bugs plants.
func replayedBugs(t *testing.T, replay string) []string {
	t.Helper()
	var o Options
	if _, list, ok := strings.Cut(replay, " --bugs "); ok {
		list, _, _ = strings.Cut(list, " ")
		if err := SetBugs(&o, list); err != nil {
			t.Fatalf("replay %q: %v", replay, err)
		}
	}
	return plantedNames(o)
}
