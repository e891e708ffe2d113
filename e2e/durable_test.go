//go:build linux

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/vr-go/vr/kv/kvcheck"
	"github.com/vr-go/vr/node"
)

// crashRounds is how many rounds TestDurableWholeClusterCrash runs; each
// crashes the whole cluster once (see crashRound).
const crashRounds = 48

// crashCheckpointInterval is TestDurableWholeClusterCrash's checkpoint
// interval: small enough that the cluster checkpoints and truncates its
// in-memory logs many times, and restarts from a checkpoint plus the log
// after it, in every run.
const crashCheckpointInterval = 100

// TestDurableWholeClusterCrash runs concurrent clients against a durable
// 3-replica cluster (sync mode) and crashes the whole cluster again and
// again, then restarts all three replicas from their data directories.
// Most crashes SIGKILL the three replicas at once; every fourth is
// staggered (the primary first, the backups while they replace it); every
// fifth restart is crashed again at once before the replicas settle.
// Nothing committed or acknowledged may be lost, the history must be
// linearizable, and no replica may need the recovery protocol: in sync mode
// every replica resumes from its disk. The replicas checkpoint every
// crashCheckpointInterval ops, so most restarts resume from a checkpoint.
func TestDurableWholeClusterCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3, checkpointFlags(crashCheckpointInterval)...)
	w := newWorkload([]string{"k0", "k1", "k2", "k3", "k4"})
	defer w.finish()
	if err := w.start(ctx, d.Addrs, 5); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var n crashCounts
	for k := 1; k <= crashRounds; k++ {
		if err := d.crashRound(ctx, w, rng, k, &n); err != nil {
			t.Fatalf("round %d: %v", k, err)
		}
	}
	w.finish()
	t.Logf("%d rounds in %v: %d crashes of all replicas at once, %d staggered, %d during a restart; "+
		"%d calls answered, %d with unknown outcome", crashRounds, time.Since(start).Round(time.Millisecond),
		n.atOnce, n.staggered, n.duringRestart, w.done.Load(), w.unknown.Load())
	for _, err := range w.unexpected {
		t.Errorf("unexpected client error: %v", err)
	}
	final, err := w.readBack(ctx, d.Addrs)
	if err != nil {
		t.Fatal(err)
	}
	ops := w.rec.Operations()
	checkNoLostWrites(t, ops, final)
	checkLinearizableVisualized(ctx, t, ops, filepath.Dir(d.LogDir))
	checkConverged(ctx, t, d.cluster)
	d.checkNoRecovery(t)
	checkCheckpointed(t, d.statuses(ctx))
}

// checkCheckpointed checks that at least one replica reports a checkpoint,
// and logs where each replica's checkpoint and log base stand.
func checkCheckpointed(t *testing.T, sts []*node.Status) {
	t.Helper()
	var newest uint64
	for i, s := range sts {
		if s == nil {
			t.Logf("replica %d: no status", i)
			continue
		}
		newest = max(newest, s.CheckpointOp)
		t.Logf("replica %d: checkpoint at op %d, log base %d, executed %d", i, s.CheckpointOp, s.LogBase, s.Executed)
	}
	if newest == 0 {
		t.Errorf("no replica reports a checkpoint, though they checkpoint every %d ops:\n%s",
			crashCheckpointInterval, describe(sts))
	}
}

// crashCounts counts the kinds of whole-cluster crashes.
type crashCounts struct{ atOnce, staggered, duringRestart int }

// crashRound crashes the whole cluster (round k decides how), restarts it,
// and waits until clients are served again and every op committed before
// the crash is still in the log.
func (d *durableCluster) crashRound(ctx context.Context, w *workload, rng *rand.Rand, k int, n *crashCounts) error {
	committed := d.maxCommit(ctx)
	if k%4 == 0 {
		n.staggered++
		if err := d.crashStaggered(ctx); err != nil {
			return err
		}
	} else {
		n.atOnce++
		d.kill(d.All()...)
	}
	if k%5 == 0 {
		n.duringRestart++
		if err := d.crashDuringRestart(ctx); err != nil {
			return err
		}
	}
	return d.restartAndServe(ctx, w, 20+rng.IntN(200), committed)
}

// maxCommit is the highest commit-number any replica reports.
func (d *durableCluster) maxCommit(ctx context.Context) uint64 {
	var m uint64
	for _, s := range d.statuses(ctx) {
		if s != nil {
			m = max(m, s.CommitNumber)
		}
	}
	return m
}

// restartAndServe starts every replica that is down, waits until all are
// normal in one view and checks that the primary's log still reaches
// committed; then it waits until the workload got ops more answers.
func (d *durableCluster) restartAndServe(ctx context.Context, w *workload, ops int, committed uint64) error {
	for i := range d.Addrs {
		if !d.Running(i) {
			d.start(i)
		}
	}
	sts, err := d.waitHealthy(ctx, waitLimit)
	if err != nil {
		return err
	}
	p, _ := agreed(sts, d.All())
	if sts[p].OpNumber < committed {
		return fmt.Errorf("op %d was committed before the crash, but the primary's log ends at op %d:\n%s",
			committed, sts[p].OpNumber, describe(sts))
	}
	want := w.done.Load() + int64(ops)
	return poll(ctx, waitLimit, fmt.Sprintf("%d client calls answered", ops), func() bool {
		return w.done.Load() >= want
	})
}

// crashDuringRestart starts every replica, waits until each answers its
// status endpoint (it has read its disk and is running the protocol), and
// kills them all again at once.
func (d *durableCluster) crashDuringRestart(ctx context.Context) error {
	for i := range d.Addrs {
		d.start(i)
	}
	_, err := d.waitFor(ctx, "every restarted replica to answer", waitLimit, func(sts []*node.Status) bool {
		return !slices.Contains(sts, nil)
	})
	d.kill(d.All()...)
	return err
}

// crashStaggered kills the primary, waits until a backup notices and starts
// a view change, and then kills the backups, in the middle of that view
// change or just after it.
func (d *durableCluster) crashStaggered(ctx context.Context) error {
	p, view, err := d.healthyPrimary(ctx)
	if err != nil {
		return err
	}
	d.kill(p)
	backups := without(d.All(), p)
	_, err = d.waitFor(ctx, "a backup to start a view change", waitLimit, func(sts []*node.Status) bool {
		for _, i := range backups {
			if sts[i] != nil && sts[i].View > view {
				return true
			}
		}
		return false
	})
	d.kill(backups...)
	return err
}

// checkNoRecovery checks that no replica ran the recovery protocol: in sync
// mode every restart resumes from the disk.
func (d *durableCluster) checkNoRecovery(t *testing.T) {
	t.Helper()
	for i := range d.Addrs {
		log := d.LogSince(i, 0)
		if l := findLine(log, "msg=recovered"); l != "" {
			t.Errorf("replica %d ran the recovery protocol after a restart in sync mode: %s", i, l)
		}
		starts := strings.Count(string(log), "msg=\"replica started\"")
		if starts < 2 {
			t.Errorf("replica %d logged %d starts; expected one per restart", i, starts)
		}
	}
}

// checkLinearizableVisualized runs porcupine on the history, always writes
// the visualization under dir, and fails the test if the history is not
// linearizable.
func checkLinearizableVisualized(ctx context.Context, t *testing.T, ops []porcupine.Operation, dir string) {
	t.Helper()
	start := time.Now()
	res, info, err := kvcheck.CheckVerbose(ctx, ops, 60*time.Second)
	if err != nil {
		t.Fatalf("linearizability check: %v", err)
	}
	path := filepath.Join(dir, "history.html")
	if err := kvcheck.WriteVisualization(path, info); err != nil {
		t.Errorf("write visualization: %v", err)
	}
	switch res {
	case porcupine.Ok:
		t.Logf("history of %d operations is linearizable (checked in %v); visualization: %s (kept with VR_E2E_ARTIFACTS or on failure)",
			len(ops), time.Since(start).Round(time.Millisecond), path)
	case porcupine.Illegal:
		t.Fatalf("history of %d operations is NOT linearizable; visualization: %s", len(ops), path)
	default:
		t.Fatalf("linearizability check of %d operations timed out; visualization: %s", len(ops), path)
	}
}
