//go:build linux

package e2e

import (
	"context"
	"testing"
	"time"
)

// wantedCheckpointLogged is what a diskless replica logs when a peer's
// fetch makes it write its newest checkpoint (node/ckptlazy.go).
const wantedCheckpointLogged = "checkpoint wanted by a peer: writing it"

// TestDisklessBackupFetchesAWantedCheckpoint: diskless replicas write no
// checkpoint until a peer wants one. A backup killed while the others
// take checkpoints and drop their logs restarts empty; a peer then writes
// its newest checkpoint, the backup installs it and catches up, and every
// acknowledged write is there.
func TestDisklessBackupFetchesAWantedCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second*time.Duration(timeScale()))
	defer cancel()
	// No retained log: the backup cannot catch up from its peers' logs.
	flags := append(fastFlags(), "--checkpoint-interval", "50", "--retain-log-bytes", "0")
	c := startCluster(ctx, t, 3, flags...)
	d := &durableCluster{cluster: c}
	kv := dialAcked(ctx, t, c.Addrs)
	kv.putKeys(ctx, t, "a", 100, "first")
	for i := range 3 {
		if line := findLine(c.LogSince(i, 0), wantedCheckpointLogged); line != "" {
			t.Fatalf("replica %d wrote a checkpoint nobody asked for: %s", i, line)
		}
	}
	p, _, err := c.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	target := (p + 1) % 3
	c.kill(target)
	kv.putKeys(ctx, t, "b", 300, "while-down")
	mark := c.LogSize(target)
	c.start(target, false)
	if _, err := d.waitLogLine(ctx, target, mark, checkpointWait, peerInstallLogged); err != nil {
		t.Fatal(err)
	}
	wrote := false
	for i := range 3 {
		wrote = wrote || (i != target && findLine(c.LogSince(i, 0), wantedCheckpointLogged) != "")
	}
	if !wrote {
		t.Fatal("the backup installed a checkpoint that no peer logged writing")
	}
	if _, err := c.waitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	kv.checkAll(ctx, t)
}
