//go:build linux

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/node"
)

// witnessWait bounds each wait of TestDurableWitness (a loaded 2-core
// machine stretches restarts and view changes).
var witnessWait = 60 * time.Second * time.Duration(timeScale())

// TestDurableWitness runs 2 durable full replicas and a durable witness
// (replica 2) as real processes, checkpointing every 50 ops: the witness
// follows the primary's log base (its write-ahead log is truncated and it
// writes no checkpoint file), restarts from its own disk after SIGKILL and
// catches up, and then, with the primary killed, forms the new view with
// the other full replica, which leads it; every acknowledged write reads
// back at the end.
func TestDurableWitness(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second*time.Duration(timeScale()))
	defer cancel()
	const w = 2
	c := formCluster(ctx, t, 3, "cluster with a witness", func(c *cluster) {
		c.Flags = append(c.Flags, fastFlags()...)
		c.Flags = append(c.Flags, checkpointFlags(50)...)
		c.Flags = append(c.Flags, "--witnesses", strconv.Itoa(w))
		c.Extra = func(i int) []string {
			if i == w {
				return []string{"--witness"}
			}
			return nil
		}
		for i := range 3 {
			c.DataDirs = append(c.DataDirs, filepath.Join(t.TempDir(), "replica-"+strconv.Itoa(i)))
		}
	})
	kv := dialAcked(ctx, t, c.Addrs)
	kv.putKeys(ctx, t, "a", 300, "first")
	sts, err := c.waitFor(ctx, "the witness to drop its log below the primary's base", witnessWait, func(sts []*node.Status) bool {
		return sts[w] != nil && sts[0] != nil && sts[w].LogBase > 0 && sts[w].LogBase == sts[0].LogBase
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := sts[w]; s.Role != "witness" || s.Executed != 0 || s.Keys != 0 || s.IsPrimary {
		t.Fatalf("witness status: %+v", s)
	}
	checkNoCheckpointFile(t, c.DataDirs[w])

	c.kill(w)
	kv.putKeys(ctx, t, "b", 50, "witness down")
	c.start(w, false)
	if _, err := c.waitFor(ctx, "the witness to catch up from its disk", witnessWait, func(sts []*node.Status) bool {
		p, ok := agreed(sts, c.All())
		return ok && sts[w].OpNumber == sts[p].CommitNumber && sts[w].CommitNumber == sts[p].CommitNumber
	}); err != nil {
		t.Fatal(err)
	}
	if line := findLine(c.LogSince(w, 0), "recovered"); line != "" {
		t.Fatalf("the witness ran the recovery protocol instead of resuming from its disk: %s", line)
	}

	c.kill(0)
	live := []int{1, w}
	sts, err = c.waitFor(ctx, "a view led by the other full replica", witnessWait, func(sts []*node.Status) bool {
		p, ok := agreed(sts, live)
		return ok && p == 1
	})
	if err != nil {
		t.Fatal(err)
	}
	kv.putKeys(ctx, t, "c", 50, "primary down")
	kv.checkAll(ctx, t)
	checkNoCheckpointFile(t, c.DataDirs[w])
	t.Logf("view %d led by replica 1 with the witness; %d keys read back", sts[1].View, len(kv.acked))
}

// checkNoCheckpointFile fails if a witness's data directory holds a
// checkpoint file.
func checkNoCheckpointFile(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "checkpoint-") {
			t.Fatalf("the witness's data directory holds %s", e.Name())
		}
	}
}
