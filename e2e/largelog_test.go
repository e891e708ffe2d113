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

// TestLargeLogViewChange fills the log with VR_E2E_LARGE_LOG ops (for
// example 300000), then kills the primary and restarts it three times, and
// expects the cluster healthy again within waitLimit each time. It is
// opt-in: view changes and recoveries carry the whole log and the
// view-change timeout has no backoff, so with a large enough log they take
// longer than the timeout and the cluster stops making progress.
func TestLargeLogViewChange(t *testing.T) {
	ops, _ := strconv.Atoi(os.Getenv("VR_E2E_LARGE_LOG"))
	if ops <= 0 {
		t.Skip("set VR_E2E_LARGE_LOG=<ops> to run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := startCluster(ctx, t, 3, fastFlags()...)
	fill(ctx, t, c.Addrs, ops)
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
