package core

import (
	"testing"

	"github.com/vr-go/vr/internal/plant"
)

// TestEpochCheckpointNotOfferedWhileInstalling: a replica whose epoch's
// first checkpoint (op 38) is not saved yet offers it to its driver again
// at every StartEpoch retry, but not while its driver installs a fetched
// checkpoint over the state machine (reconfig seed 103262 of the long
// run, docs/testing.md). The planted EpochCheckpointWhileInstalling is the
// old behaviour.
func TestEpochCheckpointNotOfferedWhileInstalling(t *testing.T) {
	for _, planted := range []bool{false, true} {
		r := epochReplicaInstalling(t, plant.Bugs{EpochCheckpointWhileInstalling: planted})
		r.install = nil
		r.now += uint64(r.cfg.RetryTicks)
		r.tickEpoch()
		if r.out.Checkpoint != r.ep.ckpt {
			t.Fatalf("planted %v, not installing: offered %v, want the epoch's checkpoint", planted, r.out.Checkpoint)
		}
		r = epochReplicaInstalling(t, plant.Bugs{EpochCheckpointWhileInstalling: planted})
		r.now += uint64(r.cfg.RetryTicks)
		r.tickEpoch()
		if offered := r.out.Checkpoint != nil; offered != planted {
			t.Fatalf("planted %v, installing: offered a checkpoint %v", planted, offered)
		}
	}
}

// epochReplicaInstalling returns replica 1 of 3 in epoch 1, which began at
// op 38: it executed op 38 and took the checkpoint there, which its driver
// has not saved, and its driver installs a fetched checkpoint of op 48.
func epochReplicaInstalling(t *testing.T, bugs plant.Bugs) *Replica {
	t.Helper()
	r := heldLogReplica(t, 1, 51, 38, 49, bugs)
	r.members.Epoch = 1
	r.ep.op = 38
	r.ckpt = Checkpoint{Op: 38}
	r.ep.ckpt = &Checkpoint{Op: 38}
	r.install = &Install{Op: 48, After: 38, InState: true}
	return r
}
