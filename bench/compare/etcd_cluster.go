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

// etcdCluster is etcd members running as child processes.
type etcdCluster struct {
	procs   []*proc
	clients []string // client URLs, member order
	leader  string   // the leader's client URL
}

// startEtcd starts a new cluster of members with data under dir and waits
// until it commits a write: each member a child process, or all of them
// in one child process (inProcess).
func startEtcd(ctx context.Context, dir string, members int, fsync, inProcess bool, gomaxprocs int) (*etcdCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2 * members)
	if err != nil {
		return nil, err
	}
	var initial, peers []string
	c := &etcdCluster{}
	for i := range members {
		peers = append(peers, fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]))
		initial = append(initial, fmt.Sprintf("m%d=%s", i, peers[i]))
		c.clients = append(c.clients, fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]))
	}
	if err := c.startProcs(exe, dir, peers, initial, fsync, inProcess, gomaxprocs); err != nil {
		c.stop()
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// startProcs starts the members: one child process each, or one for all.
func (c *etcdCluster) startProcs(exe, dir string, peers, initial []string, fsync, inProcess bool, gomaxprocs int) error {
	noFsync := "-unsafe-no-fsync=" + strconv.FormatBool(!fsync)
	if inProcess {
		args := []string{etcdMembersCmd, "-dir", dir, "-peer-urls", strings.Join(peers, ","),
			"-client-urls", strings.Join(c.clients, ","), noFsync}
		p, err := startProc(exe, args, filepath.Join(dir, "etcd-members.log"), gomaxprocs)
		if err == nil {
			c.procs = append(c.procs, p)
		}
		return err
	}
	for i := range peers {
		args := []string{etcdMemberCmd, "-name", "m" + strconv.Itoa(i), "-dir", filepath.Join(dir, "etcd-m"+strconv.Itoa(i)),
			"-peer-url", peers[i], "-client-url", c.clients[i], "-initial-cluster", strings.Join(initial, ","), noFsync}
		p, err := startProc(exe, args, filepath.Join(dir, "etcd-m"+strconv.Itoa(i)+".log"), gomaxprocs)
		if err != nil {
			return err
		}
		c.procs = append(c.procs, p)
	}
	return nil
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
