// Package testcluster starts a vr cluster inside the test process, on
// loopback ports, for tests and runnable examples.
package testcluster

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
	"github.com/vr-go/vr/node"
)

// Cluster is a set of in-process replicas.
type Cluster struct {
	// DataDirs, when set before replicas start, turns on durable mode:
	// replica i keeps its log in DataDirs[i].
	DataDirs []string
	// Sync is the durable mode's sync policy (default node.SyncAlways).
	Sync node.SyncMode
	// CheckpointInterval, if set before replicas start, is their
	// checkpoint interval (default node.DefaultCheckpointInterval).
	CheckpointInterval uint64
	// SegmentSize, if set, bounds the replicas' log segments.
	SegmentSize int64
	// MaxSessions, if set before replicas start, bounds their client
	// tables (default node's, 4096).
	MaxSessions int
	// TLSDir, if set before replicas start, puts the cluster under
	// mutual TLS with the certificates of a directory made by
	// certs.InitDir (cluster id 0).
	TLSDir string
	// AdminSecret, if set before replicas start, is the cluster's admin
	// credential (node.Config.AdminSecret).
	AdminSecret []byte
	Addrs       []string
	Nodes       []*node.Node
	cancel      []context.CancelFunc
	done        []chan struct{} // closed when replica i's Run has returned
	wg          sync.WaitGroup
}

// FreeAddrs reserves n loopback addresses by binding port 0 and releasing
// the ports. Another process could take one in between; callers retry.
func FreeAddrs(n int) ([]string, error) {
	var addrs []string
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// Start runs n replicas of a new cluster with fast timers.
func Start(n int, logger *slog.Logger) (*Cluster, error) {
	return StartDurable(n, nil, logger)
}

// StartDurable runs n replicas of a new cluster, durable when dataDirs has
// one directory per replica.
func StartDurable(n int, dataDirs []string, logger *slog.Logger) (*Cluster, error) {
	return StartSync(n, dataDirs, node.SyncAlways, logger)
}

// StartSync is StartDurable with a sync policy.
func StartSync(n int, dataDirs []string, sync node.SyncMode, logger *slog.Logger) (*Cluster, error) {
	c := &Cluster{DataDirs: dataDirs, Sync: sync}
	if err := c.StartNew(n, logger); err != nil {
		return nil, err
	}
	return c, nil
}

// StartNew runs n replicas of a new cluster configured by c's exported
// fields (DataDirs, Sync, CheckpointInterval, SegmentSize, MaxSessions) on
// free loopback ports.
func (c *Cluster) StartNew(n int, logger *slog.Logger) error {
	addrs, err := FreeAddrs(n)
	if err != nil {
		return err
	}
	c.Addrs, c.Nodes = addrs, make([]*node.Node, n)
	c.cancel, c.done = make([]context.CancelFunc, n), make([]chan struct{}, n)
	for i := range addrs {
		if err := c.start(i, true, logger); err != nil {
			c.Stop()
			return err
		}
	}
	return nil
}

func (c *Cluster) start(i int, newCluster bool, logger *slog.Logger) error {
	cfg := node.Config{
		Index: i, Peers: c.Addrs, NewCluster: newCluster, Logger: logger,
		Tick: 5 * time.Millisecond, HeartbeatTicks: 4, ViewChangeTicks: 40, RetryTicks: 8,
		CheckpointInterval: c.CheckpointInterval, SegmentSize: c.SegmentSize,
		MaxSessions: c.MaxSessions, AdminSecret: c.AdminSecret,
	}
	if c.DataDirs != nil {
		cfg.DataDir, cfg.Sync = c.DataDirs[i], c.Sync
	}
	if c.TLSDir != "" {
		src, err := auth.Load(certs.ReplicaFiles(c.TLSDir, i))
		if err != nil {
			return err
		}
		cfg.TLS = src
	}
	nd, err := node.New(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := nd.Start(ctx); err != nil {
		cancel()
		return fmt.Errorf("replica %d: %w", i, err)
	}
	done := make(chan struct{})
	c.Nodes[i], c.cancel[i], c.done[i] = nd, cancel, done
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(done)
		_ = nd.Run(ctx)
	}()
	return nil
}

// Kill stops replica i and waits until it has released its port. A
// diskless replica loses its state; a durable one keeps its data directory.
func (c *Cluster) Kill(i int) {
	if c.cancel[i] != nil {
		c.cancel[i]()
		c.cancel[i] = nil
		<-c.done[i]
	}
}

// Restart starts replica i again with empty state; it recovers.
func (c *Cluster) Restart(i int, logger *slog.Logger) error {
	return c.start(i, false, logger)
}

// Stop stops every replica and waits for them.
func (c *Cluster) Stop() {
	for i := range c.cancel {
		c.Kill(i)
	}
	c.wg.Wait()
}

// RestartAll starts every replica again (after Stop), for example from
// their data directories.
func (c *Cluster) RestartAll(logger *slog.Logger) error {
	for i := range c.Addrs {
		if err := c.start(i, false, logger); err != nil {
			c.Stop()
			return err
		}
	}
	return nil
}
