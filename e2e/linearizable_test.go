//go:build linux

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/vr-go/vr/kv/kvcheck"
)

// fastFlags make failures detected and repaired quickly. Servers built
// with the race detector are several times slower: they get four times the
// timeouts.
func fastFlags() []string {
	scale := time.Duration(1)
	if raceServers() {
		scale = 4
	}
	return []string{"--tick", "5ms", "--heartbeat", (25 * time.Millisecond * scale).String(),
		"--view-timeout", (250 * time.Millisecond * scale).String(), "--retry", "50ms"}
}

// TestKillPauseLinearizable runs concurrent clients against a 3-replica
// cluster while its primary is SIGKILLed and restarted (recovering) at
// 20 times and replicas are paused with SIGSTOP, then checks that
// the history is linearizable, that no acknowledged write was lost, and
// that the replicas converge to the same state.
func TestKillPauseLinearizable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second*time.Duration(timeScale()))
	defer cancel()
	c := startCluster(ctx, t, 3, fastFlags()...)
	w := newWorkload([]string{"k0", "k1", "k2", "k3", "k4"})
	defer w.finish()
	if err := w.start(ctx, c.Addrs, 5); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	views, err := injectFaults(ctx, c, 20)
	if err != nil {
		t.Fatal(err)
	}
	w.finish()
	t.Logf("faults done in %v; %d calls answered, %d with unknown outcome",
		time.Since(start).Round(time.Millisecond), w.done.Load(), w.unknown.Load())
	for _, err := range w.unexpected {
		t.Errorf("unexpected client error: %v", err)
	}
	if w.done.Load() < 500 {
		t.Errorf("only %d calls answered: the cluster barely made progress", w.done.Load())
	}
	final, err := w.readBack(ctx, c.Addrs)
	if err != nil {
		t.Fatal(err)
	}
	ops := w.rec.Operations()
	checkNoLostWrites(t, ops, final)
	checkLinearizable(ctx, t, ops, filepath.Dir(c.LogDir))
	if v := checkConverged(ctx, t, c); v < views {
		t.Errorf("final view %d, but the faults forced at least %d view changes", v, views)
	}
}

// injectFaults kills and restarts the primary kills times; after every
// third kill it pauses a replica, alternately the primary and a backup. It
// returns how many view changes the faults forced.
func injectFaults(ctx context.Context, c *cluster, kills int) (uint64, error) {
	views := uint64(0)
	for k := 1; k <= kills; k++ {
		if err := c.killPrimary(ctx, k%2 == 0); err != nil {
			return 0, fmt.Errorf("kill %d: %w", k, err)
		}
		views++
		if k%3 == 0 {
			primary := k%2 == 1
			if err := c.pause(ctx, primary); err != nil {
				return 0, fmt.Errorf("pause after kill %d: %w", k, err)
			}
			if primary {
				views++
			}
		}
	}
	return views, nil
}

// checkLinearizable runs porcupine on the history and, if it is not
// linearizable, writes the visualization under dir.
func checkLinearizable(ctx context.Context, t *testing.T, ops []porcupine.Operation, dir string) {
	t.Helper()
	start := time.Now()
	res, info, err := kvcheck.CheckVerbose(ctx, ops, 60*time.Second)
	if err != nil {
		t.Fatalf("linearizability check: %v", err)
	}
	switch res {
	case porcupine.Ok:
		t.Logf("history of %d operations is linearizable (checked in %v)", len(ops), time.Since(start).Round(time.Millisecond))
	case porcupine.Illegal:
		path := filepath.Join(dir, "history.html")
		if err := kvcheck.WriteVisualization(path, info); err != nil {
			t.Errorf("write visualization: %v", err)
		}
		t.Fatalf("history of %d operations is NOT linearizable; visualization: %s", len(ops), path)
	default:
		t.Fatalf("linearizability check of %d operations timed out", len(ops))
	}
}

// checkConverged checks that all replicas reach the same state digest, and
// returns their view.
func checkConverged(ctx context.Context, t *testing.T, c *cluster) uint64 {
	t.Helper()
	return checkConvergedWithin(ctx, t, c, waitLimit)
}

// checkConvergedWithin is checkConverged with a wait of at most limit.
func checkConvergedWithin(ctx context.Context, t *testing.T, c *cluster, limit time.Duration) uint64 {
	t.Helper()
	sts, err := c.waitConvergedWithin(ctx, limit)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sts {
		if s.Digest != sts[0].Digest {
			t.Errorf("replica %d digest %016x, replica 0 %016x, both after op %d", i, s.Digest, sts[0].Digest, s.Executed)
		}
	}
	t.Logf("all replicas in view %d executed op %d, digest %016x", sts[0].View, sts[0].Executed, sts[0].Digest)
	return sts[0].View
}
