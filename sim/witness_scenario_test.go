package sim

import (
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// witnessScenario runs 3 replicas, full 0 and 1 and witness 2, in view 0
// (primary 0). From 300ms replica 1 gets no log entries (no Prepare, state
// transfer or checkpoint) but hears Commits: ops commit on the primary and
// the witness alone. At crashAt the primary crashes and the network heals:
// replica 1 and the witness must form view 1 (primary 1, the only full
// replica left) on the witness's log. check runs at 1400ms, before the
// quiet phase restarts replica 0 at 1500ms; then the run ends with every
// check of the simulator (agreement, linearizability, acknowledged writes
// in the log, convergence).
func witnessScenario(t *testing.T, fc FaultConfig, ckptEvery uint64, crashAt int64, check func(r *run, commitAtCrash uint64)) {
	t.Helper()
	r := newScenarioRun(t, Options{
		Seed: 11, Replicas: 3, Clients: 3, Faults: fc, Witnesses: 1,
		FaultDuration: 1500 * time.Millisecond,
	})
	r.witness = []bool{false, false, true}
	r.ckptEvery = ckptEvery
	r.start()
	const lagger = 1
	r.runUntil(300_000)
	r.net.drop = func(from, to int, m message.Message) bool {
		switch m.(type) {
		case *message.Prepare, *message.GetState, *message.NewState, *message.GetCheckpoint, *message.CheckpointChunk:
			return to == lagger || from == lagger
		}
		return false
	}
	r.runUntil(crashAt)
	p, l, w := r.replicas[0].core.Info(), r.replicas[lagger].core.Info(), r.replicas[2].core.Info()
	t.Logf("before the crash: primary %+v\nlagger %+v\nwitness %+v", p, l, w)
	if p.Status != core.StatusNormal || p.Primary != 0 || l.Op >= p.Commit || w.Op < p.Commit {
		t.Fatalf("scenario did not play out: the commit must rest on the primary and the witness")
	}
	r.net.drop = nil
	r.crash(r.replicas[0])
	r.runUntil(1_400_000)
	if r.viol != nil {
		t.Fatalf("violation: %v", r.viol)
	}
	check(r, p.Commit)
	r.runUntil(r.endAt)
	if _, err := r.finish(); err != nil {
		t.Fatalf("after the primary returned: %v", err)
	}
}

// TestScenarioWitnessCarriesCommit: the ops committed on the primary and
// the witness only are in the witness's log, so the lagging full replica
// replays them from the witness's DoViewChange and serves on: no stall.
func TestScenarioWitnessCarriesCommit(t *testing.T) {
	fc, _ := Profile("none")
	witnessScenario(t, fc, 0, 600_000, func(r *run, commitAtCrash uint64) {
		l := r.replicas[1].core.Info()
		t.Logf("lagger at 1400ms: %+v", l)
		if l.Status != core.StatusNormal || l.Primary != 1 || l.Executed < commitAtCrash {
			t.Fatalf("the full backup did not take over with every op committed on primary and witness (%d)", commitAtCrash)
		}
	})
}

// TestScenarioWitnessStall: with checkpoints, the witness dropped its log
// up to the primary's log base, above everything the lagging full replica
// holds. After the primary crashes, view 1 forms on the witness's log, but
// its only full replica lacks the state below that log and the only
// replica that held it is down: the cluster stalls (executes nothing, forks
// nothing) until the primary restarts from its disk and serves its
// checkpoint.
func TestScenarioWitnessStall(t *testing.T) {
	fc := FaultConfig{Name: "witness-stall", Durable: true, DiskLatency: time.Millisecond, Checkpoints: true,
		Skew: 0.2, EpochMin: time.Second, EpochMax: time.Second}
	witnessScenario(t, fc, 4, 900_000, func(r *run, commitAtCrash uint64) {
		l, w := r.replicas[1].core.Info(), r.replicas[2].core.Info()
		t.Logf("at 1400ms: lagger %+v\nwitness %+v", l, w)
		if l.Executed >= l.LogBase || l.Executed >= commitAtCrash {
			t.Fatalf("the lagging full replica has the state: no stall to show")
		}
	})
}
