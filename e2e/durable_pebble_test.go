//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDurablePebbleEngine runs a durable cluster on the pebble engine
// (vr server --engine pebble) and requires every acknowledged write to
// survive: a backup is killed after its log was truncated below a
// checkpoint and restarted while the others go on (it restores a
// checkpoint into Pebble and replays the log after it), and then the
// primary is killed twice, so that each replica in turn answers every
// acknowledged write from its own Pebble state as the primary.
func TestDurablePebbleEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3, append(checkpointFlags(50), "--engine", "pebble")...)
	kv := dialAcked(ctx, t, d.Addrs)
	kv.putKeys(ctx, t, "a", 200, "first")
	target := d.writeUntilTruncated(ctx, t, kv)
	d.waitCheckpointDurable(ctx, t, target)
	d.kill(target)
	kv.putKeys(ctx, t, "a", 50, "second")
	kv.putKeys(ctx, t, "b", 100, "while-down")
	d.start(target)
	checkConvergedWithin(ctx, t, d.cluster, checkpointWait)
	kv.checkAll(ctx, t)
	for round := range 2 {
		if err := d.killPrimary(ctx, true); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		p, view, err := d.healthyPrimary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: replica %d is primary in view %d", round, p, view)
		kv.putKeys(ctx, t, fmt.Sprintf("c%d-", round), 50, "after-kill")
		kv.checkAll(ctx, t)
	}
	for i, dir := range d.DataDirs {
		if _, err := os.Stat(filepath.Join(dir, "pebble-state", "VR-PEBBLEKV")); err != nil {
			t.Errorf("replica %d ran without its Pebble working copy: %v", i, err)
		}
	}
}
