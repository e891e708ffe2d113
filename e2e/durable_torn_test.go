//go:build linux

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDurableTornTail cuts a few bytes off the end of a stopped replica's
// last log segment, as a crash in the middle of its final write would. The
// replica must cut the torn group off and resume from its disk (no
// corrupt-* directory, no recovery protocol), catch up, and the cluster
// must keep every acknowledged write.
//
// A real torn write is of a group no message depended on (it was not yet
// synced). The test tears a group that was synced and acknowledged, which
// is harsher, so it first lets every replica hold every op: the other two
// still hold all of them.
func TestDurableTornTail(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3)
	kv := dialAcked(ctx, t, d.Addrs)
	kv.putKeys(ctx, t, "a", 50, "first")
	target := d.quietBackup(ctx, t)
	d.kill(target)
	kv.putKeys(ctx, t, "a", 20, "second")
	t.Logf("replica %d: %s", target, tearTail(t, d.DataDirs[target], 5))
	mark := d.LogSize(target)
	d.start(target)
	started, err := d.waitLogLine(ctx, target, mark, waitLimit, `msg="replica started"`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(started, "status=recovering") {
		t.Errorf("replica %d did not resume from its disk: %s", target, started)
	}
	line := findLine(d.LogSince(target, mark), "level=WARN", "cut a torn write at the end of the log")
	if line == "" {
		t.Fatalf("replica %d started without reporting the torn write it cut; its log:\n%s", target, d.LogSince(target, mark))
	}
	t.Logf("replica %d: %s", target, line)
	checkConverged(ctx, t, d.cluster)
	log := d.LogSince(target, mark)
	if l := findLine(log, "msg=recovered"); l != "" {
		t.Errorf("replica %d ran the recovery protocol for a torn tail: %s", target, l)
	}
	if dirs := corruptDirs(t, d.DataDirs[target]); len(dirs) != 0 {
		t.Errorf("a torn tail was treated as corruption: %v", dirs)
	}
	kv.checkAll(ctx, t)
}
