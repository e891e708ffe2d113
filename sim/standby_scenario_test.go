package sim

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

func fullMember(id uint8) message.Member { return message.Member{ID: id, Role: uint8(core.RoleVoter)} }
func standbyMember(id uint8) message.Member {
	return message.Member{ID: id, Role: uint8(core.RoleStandby)}
}

// caughtUp reports whether replica id is up, normal in the newest epoch
// and has executed everything replica ref committed.
func caughtUp(r *run, id, ref int) bool {
	rep, want := r.replicas[id], r.replicas[ref]
	if !rep.up || !want.up {
		return false
	}
	in, w := rep.core.Info(), want.core.Info()
	return in.Epoch == w.Epoch && in.Status == core.StatusNormal && in.Executed >= w.Commit
}

// TestScenarioStandbyPromotion is the pre-warm of §7.5 next to a move
// without it, under the scenario's clients: replica 3 joins as a standby
// of {0, 1, 2}, follows the writes, and is promoted in place of 2; then
// {0, 1, 3} is replaced by {0, 1, 4} with 4 a fresh joiner. The promoted
// standby enters its epoch without fetching a checkpoint; the fresh
// member fetches one. Both moves are timed from the request to the new
// member caught up (simulated time; logged).
func TestScenarioStandbyPromotion(t *testing.T) {
	r := reconfigScenario(t, false)
	r.runUntil(200_000)
	r.scriptReconfigTo(fullMember(0), fullMember(1), fullMember(2), standbyMember(3))
	runUntilCond(t, r, 700_000, "standby 3 following epoch 1", func() bool {
		return epochOf(r, 0) == 1 && caughtUp(r, 3, 0) && !r.adm.busy
	})
	if in := r.replicas[3].core.Info(); in.Role != core.RoleStandby {
		t.Fatalf("replica 3 is %v in epoch 1, want standby", in.Role)
	}
	fetches := r.replicas[3].core.Info().Counters.CheckpointFetches
	start := r.now
	r.scriptReconfigTo(fullMember(0), fullMember(1), fullMember(3))
	runUntilCond(t, r, 1_100_000, "standby 3 promoted", func() bool {
		return epochOf(r, 3) == 2 && caughtUp(r, 3, 0) && !r.adm.busy
	})
	promoted := r.now - start
	in := r.replicas[3].core.Info()
	if in.Role != core.RoleVoter || in.Counters.CheckpointFetches != fetches {
		t.Fatalf("promoted replica 3: role %v, %d checkpoint fetches, want full and none", in.Role, in.Counters.CheckpointFetches-fetches)
	}
	start = r.now
	r.scriptReconfigTo(fullMember(0), fullMember(1), fullMember(4))
	runUntilCond(t, r, 1_450_000, "fresh member 4 in epoch 3", func() bool {
		return epochOf(r, 4) == 3 && caughtUp(r, 4, 0) && !r.adm.busy
	})
	fresh := r.now - start
	if got := r.replicas[4].core.Info().Counters.CheckpointFetches; got == 0 {
		t.Fatalf("fresh member 4 entered epoch 3 without fetching its state")
	}
	t.Logf("standby promoted in %.0f ms, fresh member in %.0f ms (simulated, 1 ms steps)",
		float64(promoted)/1000, float64(fresh)/1000)
	finishScenario(t, r)
}
