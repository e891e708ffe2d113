package sim

import (
	"testing"

	"github.com/vr-go/vr/message"

	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/kv/kvcheck"
)

// startedRun returns a run of seed 3 (3 replicas, no faults) advanced to
// time t.
func startedRun(t *testing.T, until int64) *run {
	t.Helper()
	opts, err := Options{Seed: 3, Replicas: 3, Profile: "none"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(opts)
	r.start()
	r.runUntil(until)
	if r.viol != nil {
		t.Fatalf("setup run failed: %v", r.viol)
	}
	return r
}

// wantKind fails unless the run recorded a violation of kind k.
func wantKind(t *testing.T, r *run, k Kind) {
	t.Helper()
	if r.viol == nil || r.viol.Kind != k {
		t.Fatalf("got violation %v, want kind %s", r.viol, k)
	}
	if r.viol.Seed != r.opts.Seed || r.viol.Replay == "" {
		t.Fatalf("violation lacks seed or replay: %+v", r.viol)
	}
}

func TestCheckDivergenceFails(t *testing.T) {
	r := startedRun(t, 300_000)
	rep := r.replicas[1]
	e, ok := rep.core.Entry(1)
	if !ok || len(r.chk.committed) == 0 {
		t.Fatal("nothing committed by 300ms")
	}
	e.RequestNum++
	r.agreeCommitted(rep, e)
	wantKind(t, r, KindDivergence)
}

func TestCheckCommitRegressFails(t *testing.T) {
	r := startedRun(t, 300_000)
	rep := r.replicas[2]
	rep.commit = 1 << 40
	r.checkReplica(rep, nil)
	wantKind(t, r, KindCommitRegress)
}

func TestCheckDigestFails(t *testing.T) {
	r := startedRun(t, 300_000)
	rep := r.replicas[0]
	exec := rep.core.Info().Executed
	r.chk.digests[exec] ^= 1
	rep.digestAt = 0
	r.checkDigest(rep, exec)
	wantKind(t, r, KindStateDivergence)
}

func TestCheckLivenessFails(t *testing.T) {
	r := startedRun(t, 100_000)
	// Keep the network down after the heal: requests go unanswered.
	r.runUntil(r.quietAt + 1)
	r.net.drop = func(int, int, message.Message) bool { return true }
	r.runUntil(r.endAt)
	wantKind(t, r, KindLiveness)
}

func TestCheckConvergenceFails(t *testing.T) {
	r := startedRun(t, 100_000)
	r.runUntil(r.endAt)
	r.crash(r.replicas[1])
	r.finalChecks()
	wantKind(t, r, KindConvergence)
}

func TestCheckLinearizabilityFails(t *testing.T) {
	r := startedRun(t, 100_000)
	r.runUntil(r.endAt)
	// A read of a value nobody wrote, after everything else.
	id := r.hist.begin(0, kv.NewGet([]byte("k0")))
	r.hist.rec.End(id, kvcheck.Output{Found: true, Value: "never-written", Version: 1 << 50})
	r.finalChecks()
	wantKind(t, r, KindLinearizability)
}

func TestCheckedRunPasses(t *testing.T) {
	r := startedRun(t, 100_000)
	r.runUntil(r.endAt)
	if _, err := r.finish(); err != nil {
		t.Fatalf("fault-free run failed: %v", err)
	}
}
