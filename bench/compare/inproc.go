package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"

	"github.com/vr-go/vr/node"
)

// The in-process setups: every member (replica) of a cluster in one child
// process, one Go runtime for all three. etcd embedded this way was
// measured faster than as three processes (issue 10: 13.3k against 7.3k
// ops/s), so the comparison shows this setup for both systems too. The
// load generator stays in the parent, so /proc still separates the
// servers' CPU from the clients'.
const (
	etcdMembersCmd = "etcd-members"
	vrReplicasCmd  = "vr-replicas"
)

// runEtcdMembers runs every member of a new cluster in this process until
// SIGTERM or SIGINT.
func runEtcdMembers(args []string) error {
	fs := flag.NewFlagSet(etcdMembersCmd, flag.ContinueOnError)
	dir := fs.String("dir", "", "data directory (one subdirectory per member)")
	peers := fs.String("peer-urls", "", "every member's peer URL, comma-separated")
	clients := fs.String("client-urls", "", "every member's client URL, in the same order")
	noFsync := fs.Bool("unsafe-no-fsync", false, "disable fsync")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pu, cu := strings.Split(*peers, ","), strings.Split(*clients, ",")
	if len(pu) != len(cu) {
		return errors.New("etcd-members: as many peer URLs as client URLs are needed")
	}
	var initial []string
	for i, u := range pu {
		initial = append(initial, "m"+strconv.Itoa(i)+"="+u)
	}
	var members []*embed.Etcd
	defer func() {
		for _, e := range members {
			e.Close()
		}
	}()
	for i := range pu {
		name := "m" + strconv.Itoa(i)
		cfg, err := etcdConfig(name, filepath.Join(*dir, "etcd-"+name), pu[i], cu[i], strings.Join(initial, ","), *noFsync)
		if err != nil {
			return err
		}
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			return err
		}
		members = append(members, e)
	}
	return waitMembers(members)
}

// waitMembers waits for every member to be ready, then for a signal or a
// member's error.
func waitMembers(members []*embed.Etcd) error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	for _, e := range members {
		select {
		case <-e.Server.ReadyNotify():
		case <-time.After(60 * time.Second):
			return errors.New("etcd member not ready after 60s")
		}
	}
	errs := make(chan error, len(members))
	for _, e := range members {
		go func() { errs <- <-e.Err() }()
	}
	select {
	case <-sig:
		return nil
	case err := <-errs:
		return err
	}
}

// runVRReplicas runs every replica of a new diskless vr cluster in this
// process, with the same defaults as `vr server`, until SIGTERM or SIGINT.
func runVRReplicas(args []string) error {
	fs := flag.NewFlagSet(vrReplicasCmd, flag.ContinueOnError)
	cluster := fs.String("cluster", "", "every replica's address, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	peers := strings.Split(*cluster, ",")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	_, errs, err := startReplicas(ctx, peers, "", logger)
	if err != nil {
		return err
	}
	for range peers {
		if err := <-errs; err != nil {
			return fmt.Errorf("replica: %w", err)
		}
	}
	return nil
}

// startReplicas starts a new cluster of one replica per address in peers
// in this process, with node's defaults (those of `vr server`), running
// until ctx ends: diskless, or durable (sync mode) in subdirectories of
// dataDir. Each replica's Run result arrives on the channel.
func startReplicas(ctx context.Context, peers []string, dataDir string, logger *slog.Logger) ([]*node.Node, <-chan error, error) {
	var nodes []*node.Node
	for i := range peers {
		cfg := node.Config{Index: i, Peers: peers, NewCluster: true, Logger: logger}
		if dataDir != "" {
			cfg.DataDir = filepath.Join(dataDir, "vr-"+strconv.Itoa(i))
		}
		n, err := node.New(cfg)
		if err != nil {
			return nil, nil, err
		}
		if err := n.Start(ctx); err != nil {
			return nil, nil, err
		}
		nodes = append(nodes, n)
	}
	errs := make(chan error, len(nodes))
	for _, n := range nodes {
		go func() { errs <- n.Run(ctx) }()
	}
	return nodes, errs, nil
}
