package node_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/node"
)

func dataDirs(t *testing.T, n int) []string {
	var dirs []string
	for i := 0; i < n; i++ {
		dirs = append(dirs, filepath.Join(t.TempDir(), fmt.Sprint(i)))
	}
	return dirs
}

func dial(t *testing.T, ctx context.Context, c *testcluster.Cluster) *client.Client {
	cl, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// TestWholeClusterRestartKeepsAcknowledgedWrites stops every replica at once
// and restarts them from their data directories: nothing acknowledged is
// lost, and no recovery protocol is needed.
func TestWholeClusterRestartKeepsAcknowledgedWrites(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := testcluster.StartDurable(3, dataDirs(t, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cl := dial(t, ctx, c)
	for round := 0; round < 3; round++ {
		for k := 0; k < 20; k++ {
			if _, err := cl.Put(ctx, []byte(fmt.Sprintf("k%d", k)), []byte(fmt.Sprintf("r%d", round))); err != nil {
				t.Fatal(err)
			}
		}
		c.Stop()
		if err := c.RestartAll(nil); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 20; k++ {
			v, _, err := cl.Get(ctx, []byte(fmt.Sprintf("k%d", k)))
			if err != nil || string(v) != fmt.Sprintf("r%d", round) {
				t.Fatalf("round %d: k%d = %q, %v", round, k, v, err)
			}
		}
	}
}

// TestCorruptLogIsRepairedFromPeers flips a byte in the middle of one
// replica's log: the replica must not use it, and must come back through
// the recovery protocol with the cluster's state.
func TestCorruptLogIsRepairedFromPeers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c, err := testcluster.StartDurable(3, dirs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cl := dial(t, ctx, c)
	for k := 0; k < 50; k++ {
		if _, err := cl.Put(ctx, []byte(fmt.Sprintf("k%d", k)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	c.Kill(2)
	c.Stop()
	flipByteInLog(t, dirs[2])
	if err := c.RestartAll(nil); err != nil {
		t.Fatal(err)
	}
	moved, _ := filepath.Glob(filepath.Join(dirs[2], "corrupt-*"))
	if len(moved) != 1 {
		t.Fatalf("corrupt log not moved aside: %v", moved)
	}
	waitFor(t, ctx, func() bool {
		s, err := c.Nodes[2].FullStatus(ctx)
		return err == nil && s.Status == "normal" && s.Keys == 50
	})
}

// flipByteInLog flips one byte in a record a third of the way into the
// first log segment.
func flipByteInLog(t *testing.T, dir string) {
	seg := segments(t, dir)[0]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	offs := recordOffsets(b)
	if len(offs) < 4 {
		t.Fatalf("%s holds %d records", seg, len(offs))
	}
	b[offs[len(offs)/3]+recHeadSize] ^= 0xff
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not met before the deadline")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestSyncModeValidated(t *testing.T) {
	_, err := node.New(node.Config{Peers: []string{"127.0.0.1:1"}, DataDir: t.TempDir(), Sync: "sometimes"})
	if !errors.Is(err, node.ErrConfig) {
		t.Fatalf("err = %v", err)
	}
}

// TestAsyncRestartUsesRecovery restarts a replica of an async-mode cluster:
// its disk may lack promises it made, so it must come back through the
// recovery protocol (status recovering first), not from its disk.
func TestAsyncRestartUsesRecovery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := testcluster.StartSync(3, dataDirs(t, 3), node.SyncAsync, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cl := dial(t, ctx, c)
	for k := 0; k < 20; k++ {
		if _, err := cl.Put(ctx, []byte(fmt.Sprintf("k%d", k)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	c.Kill(1)
	if err := c.Restart(1, nil); err != nil {
		t.Fatal(err)
	}
	if s := c.Nodes[1].Status(); s.Status != "recovering" {
		t.Fatalf("async restart began as %q, want recovering", s.Status)
	}
	waitFor(t, ctx, func() bool {
		s, err := c.Nodes[1].FullStatus(ctx)
		return err == nil && s.Status == "normal" && s.Keys == 20
	})
}
