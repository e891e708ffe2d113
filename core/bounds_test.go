package core_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// smallBounds gives messages of 2 KiB, requests of at most 64 bytes and a
// checkpoint every 200 bytes of executed log (no op interval).
func smallBounds(bugs plant.Bugs) func(*core.Config) {
	return func(cfg *core.Config) {
		cfg.MaxMessageBytes, cfg.MaxRequestBytes, cfg.MaxBatchBytes = 2048, 64, 512
		cfg.CheckpointBytes, cfg.CheckpointChunk = 200, 64
		cfg.Plant(bugs)
	}
}

// byteCheckpointRun runs ops of varied sizes while replica 2 misses some
// (it catches up by state transfer) and replica 1 loses its state (it
// recovers and fetches a checkpoint), and returns what goes wrong with the
// byte trigger: a replica that checkpointed at an op where, by the rule
// applied to replica 0's executed log, no checkpoint falls.
func byteCheckpointRun(t *testing.T, bugs plant.Bugs) []string {
	c := newClusterWith(t, 3, smallBounds(bugs))
	took := map[int][]uint64{}
	var executed []message.Entry // replica 0's, in op order
	c.onOutput = func(i int, out core.Output) {
		if out.Checkpoint != nil {
			took[i] = append(took[i], out.Checkpoint.Op)
		}
		for _, a := range out.Applied {
			if i == 0 && !a.Restored {
				executed = append(executed, a.Entry)
			}
		}
	}
	register(c, 0, 7)
	req := uint64(2)
	run := func(n int) {
		for ; n > 0; n-- {
			c.request(0, 7, req, message.KindApp, strings.Repeat("x", int(req*7%50)))
			req++
		}
	}
	run(12)
	c.isolate(2)
	run(40) // the others checkpoint past replica 2's commit: it fetches one
	c.heal()
	c.tick(10)
	c.down[1] = true
	run(10)
	c.start(1, true)
	c.tick(30)
	run(20)
	c.tick(10)
	t.Logf("checkpoints taken or installed: %v", took)
	return checkpointMismatches(expectedCheckpoints(executed, 200), took)
}

// expectedCheckpoints applies the byte trigger to a log executed from op 1.
func expectedCheckpoints(log []message.Entry, every int) map[uint64]bool {
	want, since := map[uint64]bool{}, 0
	for _, e := range log {
		if since += e.Size(); since >= every {
			want[e.Op], since = true, 0
		}
	}
	return want
}

func checkpointMismatches(want map[uint64]bool, took map[int][]uint64) []string {
	var bad []string
	for i, ops := range took {
		for _, op := range ops {
			if !want[op] {
				bad = append(bad, fmt.Sprintf("replica %d checkpointed at op %d", i, op))
			}
		}
	}
	if len(took[1]) == 0 || len(took[2]) == 0 || len(want) < 5 {
		bad = append(bad, fmt.Sprintf("too few checkpoints to compare: %v of %d expected", took, len(want)))
	}
	slices.Sort(bad)
	return bad
}

// TestByteCheckpointsFallAtTheSameOps: every replica — the primary, a
// backup that caught up by state transfer, one that recovered from a
// checkpoint — checkpoints exactly where the byte rule applied to the
// committed log says, so checkpoints of one op stay byte-identical.
func TestByteCheckpointsFallAtTheSameOps(t *testing.T) {
	if bad := byteCheckpointRun(t, plant.Bugs{}); len(bad) > 0 {
		t.Fatalf("checkpoints off the byte rule: %v", bad)
	}
}

// TestByteTriggerOnLogHeldDiverges plants the natural mistake of counting
// the bytes of the log held instead of those executed since the last
// checkpoint: the test above then fails.
func TestByteTriggerOnLogHeldDiverges(t *testing.T) {
	if bad := byteCheckpointRun(t, plant.Bugs{CheckpointByLogSize: true}); len(bad) == 0 {
		t.Fatal("planted CheckpointByLogSize not caught")
	}
}

// TestLogStaysWithinBoundWithoutByteCheckpoints: with checkpoints by ops
// only (planted), large entries fill the log up to its bound and the
// primary stops taking requests, rather than build a message over the
// limit. With the byte trigger the same load commits every request.
func TestLogStaysWithinBoundWithoutByteCheckpoints(t *testing.T) {
	for _, bugs := range []plant.Bugs{{}, {CheckpointByOpsOnly: true}} {
		c := newClusterWith(t, 3, smallBounds(bugs))
		register(c, 0, 7)
		for req := uint64(2); req < 80; req++ {
			c.request(0, 7, req, message.KindApp, strings.Repeat("y", 60))
			c.tick(1)
		}
		stalled := c.info(0).Commit < 79
		if stalled != bugs.CheckpointByOpsOnly {
			t.Fatalf("bugs %+v: commit %d", bugs, c.info(0).Commit)
		}
	}
}

// TestRequestOverLimitRejected: a request above MaxRequestBytes is answered
// StatusRejected and never enters the log.
func TestRequestOverLimitRejected(t *testing.T) {
	c := newClusterWith(t, 3, smallBounds(plant.Bugs{}))
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, strings.Repeat("z", 65))
	if r := c.lastReply(7); r == nil || r.RequestNum != 2 || r.Status != message.StatusRejected {
		t.Fatalf("reply %+v, want StatusRejected", r)
	}
	if op := c.info(0).Op; op != 1 {
		t.Fatalf("op %d: the request entered the log", op)
	}
}

func TestByteBoundsValidated(t *testing.T) {
	cfg := core.Config{ReplicaCount: 3}
	smallBounds(plant.Bugs{})(&cfg)
	cfg.CheckpointBytes = 1000 // 2×1000 + 2×101 > 2048 − 68
	if _, err := core.New(cfg, &counter{}); err == nil || !strings.Contains(err.Error(), "checkpoint bytes") {
		t.Fatalf("err %v, want the checkpoint-bytes bound", err)
	}
}
