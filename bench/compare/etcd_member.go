package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// etcdMemberCmd is the hidden subcommand that runs one etcd member; the
// comparison starts three of them as child processes of its own binary,
// as our servers are separate processes too.
const etcdMemberCmd = "etcd-member"

// runEtcdMember runs one member until SIGTERM or SIGINT.
func runEtcdMember(args []string) error {
	fs := flag.NewFlagSet(etcdMemberCmd, flag.ContinueOnError)
	name := fs.String("name", "", "member name")
	dir := fs.String("dir", "", "data directory")
	peer := fs.String("peer-url", "", "this member's peer URL")
	clientURL := fs.String("client-url", "", "this member's client URL")
	cluster := fs.String("initial-cluster", "", "name=peer-url,... of every member")
	noFsync := fs.Bool("unsafe-no-fsync", false, "disable fsync")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := etcdConfig(*name, *dir, *peer, *clientURL, *cluster, *noFsync)
	if err != nil {
		return err
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		return errors.New("etcd member not ready after 60s")
	}
	select {
	case <-sig:
		return nil
	case err := <-e.Err():
		return err
	}
}

// etcdConfig is the configuration of one member of a new cluster, on
// loopback, with etcd's defaults otherwise (100ms heartbeat, 1s election).
func etcdConfig(name, dir, peer, client, cluster string, noFsync bool) (*embed.Config, error) {
	pu, err := url.Parse(peer)
	if err != nil {
		return nil, fmt.Errorf("bad peer URL: %w", err)
	}
	cu, err := url.Parse(client)
	if err != nil {
		return nil, fmt.Errorf("bad client URL: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = name, dir
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.InitialCluster, cfg.InitialClusterToken = cluster, "vr-bench-compare"
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.UnsafeNoFsync = noFsync
	// A long run at large values outgrows etcd's default 2 GiB quota (the
	// history of every write is kept until compacted): raise the quota to
	// etcd's recommended maximum and compact as operators are told to,
	// keeping the last 10,000 revisions (etcd checks every 5 minutes, so
	// runs shorter than that never compact).
	cfg.QuotaBackendBytes = 8 << 30
	cfg.AutoCompactionMode, cfg.AutoCompactionRetention = "revision", "10000"
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{"stderr"}
	return cfg, nil
}
