package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// etcdCluster is three etcd members running as child processes.
type etcdCluster struct {
	procs   []*proc
	clients []string // client URLs, member order
	leader  string   // the leader's client URL
}

// startEtcd starts a new 3-member cluster with data under dir and waits
// until it commits a write.
func startEtcd(ctx context.Context, dir string, members int, fsync bool) (*etcdCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2 * members)
	if err != nil {
		return nil, err
	}
	var initial []string
	c := &etcdCluster{}
	for i := range members {
		initial = append(initial, fmt.Sprintf("m%d=http://127.0.0.1:%d", i, ports[2*i]))
		c.clients = append(c.clients, fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]))
	}
	for i := range members {
		args := []string{etcdMemberCmd, "-name", "m" + strconv.Itoa(i), "-dir", filepath.Join(dir, "etcd-m"+strconv.Itoa(i)),
			"-peer-url", fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]), "-client-url", c.clients[i],
			"-initial-cluster", strings.Join(initial, ","), "-unsafe-no-fsync=" + strconv.FormatBool(!fsync)}
		p, err := startProc(exe, args, filepath.Join(dir, "etcd-m"+strconv.Itoa(i)+".log"))
		if err != nil {
			c.stop()
			return nil, err
		}
		c.procs = append(c.procs, p)
	}
	if err := c.waitReady(ctx); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitReady waits (30s at most) until a write commits, then finds the
// leader.
func (c *etcdCluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cl, err := clientv3.New(clientv3.Config{Endpoints: c.clients, DialTimeout: 5 * time.Second, Logger: quietZap()})
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		if _, err = cl.Put(ctx, "ready", "1"); err == nil {
			return c.findLeader(ctx, cl)
		}
		for _, p := range c.procs {
			if e := p.exitErr(); e != nil {
				return e
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("etcd did not become ready: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// findLeader asks every member who leads.
func (c *etcdCluster) findLeader(ctx context.Context, cl *clientv3.Client) error {
	for _, ep := range c.clients {
		st, err := cl.Status(ctx, ep)
		if err == nil && st.Header.MemberId == st.Leader {
			c.leader = ep
			return nil
		}
	}
	return fmt.Errorf("no etcd member says it is the leader")
}

// stop ends every member.
func (c *etcdCluster) stop() { stopProcs(c.procs) }
