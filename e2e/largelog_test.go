//go:build linux

package e2e

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
)

// largeLogCheckpointInterval is TestLargeLogViewChange's checkpoint
// interval, the server's default, passed explicitly so that the test keeps
// measuring it if the default changes.
const largeLogCheckpointInterval = 20000

// TestLargeLogViewChange fills the log with VR_E2E_LARGE_LOG ops (for
// example 300000), then kills the primary and restarts it three times, and
// expects the cluster healthy again within waitLimit each time; it logs how
// long each view change and each recovery took.
//
// Every replica checkpoints every largeLogCheckpointInterval ops and drops
// its log up to its previous checkpoint, so it holds at most two intervals
// of log however many ops were written: a view change carries at most that
// many entries, and the restarted primary recovers with the new primary's
// log after its base plus a checkpoint. The test checks that bound before
// the first kill. It is opt-in because filling a large log is slow.
func TestLargeLogViewChange(t *testing.T) {
	ops, _ := strconv.Atoi(os.Getenv("VR_E2E_LARGE_LOG"))
	if ops <= 0 {
		t.Skip("set VR_E2E_LARGE_LOG=<ops> to run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	flags := append(fastFlags(), checkpointFlags(largeLogCheckpointInterval)...)
	c := startCluster(ctx, t, 3, flags...)
	start := time.Now()
	fill(ctx, t, c.Addrs, ops)
	t.Logf("wrote %d ops in %v", ops, time.Since(start).Round(time.Millisecond))
	checkLogBounded(ctx, t, c, largeLogCheckpointInterval)
	for round := range 3 {
		p, view, err := c.healthyPrimary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		c.kill(p)
		if _, err := c.waitNewView(ctx, without(c.All(), p), view); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: new view after %v", round, time.Since(start).Round(time.Millisecond))
		c.start(p, false)
		if _, err := c.waitHealthy(ctx, waitLimit); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: healthy after %v", round, time.Since(start).Round(time.Millisecond))
	}
}

// checkLogBounded waits until the replicas converge and checks that none
// holds more than two checkpoint intervals of log above its log base.
func checkLogBounded(ctx context.Context, t *testing.T, c *cluster, interval uint64) {
	t.Helper()
	sts, err := c.waitConverged(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sts {
		if held := s.OpNumber - s.LogBase; held > 2*interval {
			t.Errorf("replica %d holds %d log entries (ops %d-%d), more than two checkpoint intervals of %d",
				i, held, s.LogBase+1, s.OpNumber, interval)
		}
	}
	t.Logf("log bases and ends:\n%s", describe(sts))
}

// fill writes ops puts with 8 concurrent clients.
func fill(ctx context.Context, t *testing.T, addrs []string, ops int) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			kv, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: 1})
			if err != nil {
				errs <- err
				return
			}
			defer kv.Close()
			for range ops / 8 {
				if _, err := kv.Put(ctx, []byte("fill"+strconv.Itoa(w)), []byte("a value of modest size")); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
