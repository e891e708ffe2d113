package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/node"
)

// dialMode dials c with read mode m.
func dialMode(t *testing.T, c *testcluster.Cluster, m client.ReadMode) *client.Client {
	t.Helper()
	cl, err := client.DialConfig(ctxT(t), client.Config{Addrs: c.Addrs, RetryInterval: 50 * time.Millisecond, ReadMode: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// primaryStatus returns the status of the replica that is primary.
func primaryStatus(t *testing.T, c *testcluster.Cluster) node.Status {
	t.Helper()
	for _, nd := range c.Nodes {
		s, err := nd.FullStatus(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if s.IsPrimary {
			return s
		}
	}
	t.Fatal("no primary")
	return node.Status{}
}

// getN reads key n times and checks every read returns want.
func getN(t *testing.T, ctx context.Context, cl *client.Client, n int, want string) {
	t.Helper()
	for i := range n {
		v, _, err := cl.Get(ctx, []byte("k"))
		if err != nil || string(v) != want {
			t.Fatalf("read %d: %q, %v; want %q", i, v, err, want)
		}
	}
}

func TestLeaseReadsSkipTheLog(t *testing.T) {
	c, writer := startCluster(t, 3)
	ctx := ctxT(t)
	if _, err := writer.Put(ctx, []byte("k"), []byte("v1")); err != nil {
		t.Fatal(err)
	}
	reader := dialMode(t, c, client.ReadLease)
	getN(t, ctx, reader, 20, "v1") // the first read of a session registers it
	before := primaryStatus(t, c)
	getN(t, ctx, reader, 20, "v1")
	after := primaryStatus(t, c)
	if after.LeaseReads-before.LeaseReads != 20 || after.OpNumber != before.OpNumber {
		t.Fatalf("20 lease reads: %d answered under the lease, op %d → %d",
			after.LeaseReads-before.LeaseReads, before.OpNumber, after.OpNumber)
	}
}

func TestLogReadsGoThroughTheLog(t *testing.T) {
	c, writer := startCluster(t, 3)
	ctx := ctxT(t)
	if _, err := writer.Put(ctx, []byte("k"), []byte("v1")); err != nil {
		t.Fatal(err)
	}
	before := primaryStatus(t, c)
	getN(t, ctx, dialMode(t, c, client.ReadLog), 20, "v1")
	after := primaryStatus(t, c)
	if after.LeaseReads != before.LeaseReads || after.OpNumber-before.OpNumber < 20 {
		t.Fatalf("20 log reads: %d under a lease, op %d → %d",
			after.LeaseReads-before.LeaseReads, before.OpNumber, after.OpNumber)
	}
}

func TestStaleReadsReachEveryReplica(t *testing.T) {
	c, writer := startCluster(t, 3)
	ctx := ctxT(t)
	if _, err := writer.Put(ctx, []byte("k"), []byte("v1")); err != nil {
		t.Fatal(err)
	}
	stale := dialMode(t, c, client.ReadStale)
	// Backups learn the commit with the next Prepare or heartbeat, and may
	// answer without it until then: poll until 6 reads in a row see it.
	deadline := time.Now().Add(5 * time.Second)
	inARow := 0
	for inARow < 6 && time.Now().Before(deadline) {
		v, _, err := stale.Get(ctx, []byte("k"))
		switch {
		case err == nil && string(v) == "v1":
			inARow++
		case err == nil || errors.Is(err, client.ErrNotFound):
			inARow = 0
		default:
			t.Fatal(err)
		}
	}
	if inARow < 6 {
		t.Fatalf("stale reads did not settle on the write: %d in a row", inARow)
	}
	before := primaryStatus(t, c)
	getN(t, ctx, stale, 6, "v1")
	if after := primaryStatus(t, c); after.OpNumber != before.OpNumber {
		t.Fatalf("stale reads entered the log: op %d → %d", before.OpNumber, after.OpNumber)
	}
}

func TestBadReadModeRejected(t *testing.T) {
	_, err := client.DialConfig(context.Background(), client.Config{Addrs: []string{"127.0.0.1:1"}, ReadMode: "eventual"})
	if !errors.Is(err, client.ErrBadConfig) {
		t.Fatalf("err = %v", err)
	}
}
