package core_test

import (
	"bytes"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
)

// TestLogKeptUntilCheckpointSaved: taking a checkpoint drops nothing; the
// log shrinks only once the driver reports the checkpoint saved.
func TestLogKeptUntilCheckpointSaved(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	c.unsaved = true
	runOps(c, 22) // ops 1..23, checkpoints at 5, 10, 15, 20 pending
	c.tick(3)
	for i := range 3 {
		got := c.info(i)
		if got.CheckpointOp != 20 || got.SavedOp != 0 || got.LogBase != 0 {
			t.Fatalf("replica %d before the saves: %+v; want checkpoint 20, nothing saved, log base 0", i, got)
		}
		if _, ok := c.replicas[i].Entry(1); !ok {
			t.Fatalf("replica %d dropped op 1 before any checkpoint was saved", i)
		}
	}
	for _, i := range []int{1, 2, 0} { // the primary last: see below
		c.saveNow(i)
		c.tick(3) // the backups report their saves in PrepareOKs
		if got := c.info(i); got.SavedOp != 20 || got.LogBase != 15 {
			t.Fatalf("replica %d after the saves: %+v; want saved 20, log base 15", i, got)
		}
	}
}

// TestPrimaryKeepsLogUntilQuorumSaved: the primary cuts its log only below
// a checkpoint that f+1 replicas (itself included) saved, as its backups
// report in PrepareOKs; with TruncateAtOwnCheckpoint planted, it cuts at
// its own saves alone (the old behaviour, which let both backups fall
// behind a checkpoint only the primary held).
func TestPrimaryKeepsLogUntilQuorumSaved(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) {
			checkpointEvery5(cfg)
			cfg.Plant(plant.Bugs{TruncateAtOwnCheckpoint: planted})
		})
		c.unsaved = true
		runOps(c, 22) // ops 1..23, checkpoints at 5, 10, 15, 20 pending
		c.tick(3)
		c.saveNow(0)
		c.tick(3)
		if got := c.info(0).LogBase; (got == 0) == planted {
			t.Fatalf("planted=%v: primary's log base %d after only its own save; want 0 unless planted", planted, got)
		}
		c.saveNow(1)
		c.tick(3)
		if got := c.info(0).LogBase; got != 15 {
			t.Fatalf("planted=%v: primary's log base %d after backup 1 saved 20; want 15", planted, got)
		}
	}
}

// TestCheckpointWrittenLateHoldsItsOp: a checkpoint written after the
// replica executed more ops holds the state at its op, byte for byte what
// another replica wrote at once.
func TestCheckpointWrittenLateHoldsItsOp(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	c.unsaved = true
	var early []byte
	c.onOutput = func(i int, out core.Output) {
		if i == 1 && out.Checkpoint != nil && out.Checkpoint.Op == 5 {
			early = encode(t, out.Checkpoint)
		}
	}
	runOps(c, 12)
	c.onOutput = nil
	if early == nil {
		t.Fatal("replica 1 took no checkpoint at op 5")
	}
	late := c.pending[2][0]
	if late.Op != 5 || c.info(2).Executed <= 5 {
		t.Fatalf("replica 2: pending %d, %+v", late.Op, c.info(2))
	}
	if got := encode(t, late); !bytes.Equal(got, early) {
		t.Fatalf("checkpoint 5 written after op %d differs from the one written at once", c.info(2).Executed)
	}
}
