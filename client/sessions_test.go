package client_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
)

// These tests count the primary's log ops: every write is one op and every
// session registration is one more, so the count shows how many client
// sessions a workload registered in the cluster's client table.

// startTable starts a 3-replica cluster whose client tables hold
// maxSessions sessions (0: the default).
func startTable(t *testing.T, maxSessions int) *testcluster.Cluster {
	t.Helper()
	c := &testcluster.Cluster{MaxSessions: maxSessions}
	if err := c.StartNew(3, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// dial connects a client with cfg to c.
func dial(t *testing.T, c *testcluster.Cluster, cfg client.Config) *client.Client {
	t.Helper()
	cfg.Addrs = c.Addrs
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 50 * time.Millisecond
	}
	cl, err := client.DialConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// logOps is the primary's op number: how many ops the log holds. It waits
// for a primary (a new cluster has none until every replica joined).
func logOps(t *testing.T, c *testcluster.Cluster) uint64 {
	t.Helper()
	ctx := ctxT(t)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		for _, nd := range c.Nodes {
			if s, err := nd.FullStatus(ctx); err == nil && s.IsPrimary {
				return s.OpNumber
			}
		}
		select {
		case <-poll.C:
		case <-ctx.Done():
			t.Fatal("no primary")
		}
	}
}

func TestSequentialCallsRegisterOneSession(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  client.Config
	}{
		{"defaults", client.Config{}},
		{"uncoalesced", client.Config{Coalesce: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startTable(t, 0)
			cl := dial(t, c, tc.cfg) // 16 sessions by default
			ctx := ctxT(t)
			before := logOps(t, c)
			const puts = 20
			for i := range puts {
				if _, err := cl.Put(ctx, []byte("k"), []byte(fmt.Sprint(i))); err != nil {
					t.Fatal(err)
				}
			}
			if ops := logOps(t, c) - before; ops != puts+1 {
				t.Fatalf("%d sequential puts took %d log ops, want %d (one registration)", puts, ops, puts+1)
			}
		})
	}
}

func TestConcurrencyGrowsPoolOnlyAsFarAsUsed(t *testing.T) {
	c := startTable(t, 0)
	cl := dial(t, c, client.Config{Coalesce: -1}) // 16 sessions, no batching
	before := logOps(t, c)
	const workers, each = 4, 10
	putConcurrently(t, cl, workers, each)
	regs := logOps(t, c) - before - workers*each
	if regs < 1 || regs > workers {
		t.Fatalf("%d concurrent callers registered %d sessions, want 1 to %d", workers, regs, workers)
	}
	t.Logf("%d concurrent callers registered %d sessions", workers, regs)
}

// The scenario of issue #11: many sequential clients, each with a pool of
// 2 sessions, against a client table sized to the real concurrency (one
// call at a time per client). Cycling through the pool registered twice as
// many sessions as the table holds, and most writes came back evicted.
func TestTableSizedToConcurrencySeesNoEviction(t *testing.T) {
	const clients, each = 16, 10
	c := startTable(t, clients)
	ctx := ctxT(t)
	cls := make([]*client.Client, clients)
	for i := range cls {
		cls[i] = dial(t, c, client.Config{Sessions: 2})
	}
	before := logOps(t, c)
	errs := make(chan error, clients*each)
	for j := range each { // in rounds, so that the clients interleave
		var wg sync.WaitGroup
		for i, cl := range cls {
			wg.Go(func() {
				if _, err := cl.Put(ctx, []byte(fmt.Sprintf("c%d", i)), []byte(fmt.Sprint(j))); err != nil {
					errs <- fmt.Errorf("client %d put %d: %w", i, j, err)
				}
			})
		}
		wg.Wait()
	}
	close(errs)
	failed := 0
	for err := range errs {
		if failed == 0 {
			t.Error(err)
		}
		failed++
	}
	if failed > 0 {
		t.Fatalf("%d of %d writes failed", failed, clients*each)
	}
	if ops := logOps(t, c) - before; ops != clients*(each+1) {
		t.Fatalf("%d clients × %d puts took %d log ops, want %d (one registration each)", clients, each, ops, clients*(each+1))
	}
}
