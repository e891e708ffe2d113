package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/loadgen"
	"github.com/vr-go/vr/node"
)

// runProfile is `go run . profile`: a CPU profile of vr's servers under
// the 64-client, fsync-off load. The three replicas run in this process,
// diskless with the defaults of `vr server` (as in the comparison's
// in-process rows), so that runtime/pprof sees them; every goroutine
// of the servers carries the pprof label side=server and every goroutine
// of the load generator and client side=client, so
//
//	go tool pprof -top -tagignore side=client vr-server.pprof
//
// shows the servers' time (plus the unlabelled runtime background work,
// such as the garbage collector's workers).
func runProfile(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	dur := fs.Duration("duration", 10*time.Second, "how long to profile")
	clients := fs.Int("clients", 64, "load clients")
	out := fs.String("out", "vr-server.pprof", "profile file")
	replicas := fs.Int("replicas", 3, "replicas")
	dataDir := fs.String("data-dir", "", "durable replicas (--sync sync) with their data here (default: diskless)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dur < time.Second || *dur > 5*time.Minute || *clients < 1 {
		return errors.New("--duration must be within 1s..5m and --clients at least 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur+time.Minute)
	defer cancel()
	addrs, err := testcluster.FreeAddrs(*replicas)
	if err != nil {
		return err
	}
	var nodes []*node.Node
	pprof.Do(ctx, pprof.Labels("side", "server"), func(ctx context.Context) {
		nodes, _, err = startReplicas(ctx, addrs, *dataDir, slog.New(slog.DiscardHandler))
	})
	if err != nil {
		return err
	}
	var res loadgen.Result
	pprof.Do(ctx, pprof.Labels("side", "client"), func(ctx context.Context) {
		res, err = profileLoad(ctx, addrs, *clients, *dur, *out)
	})
	if err != nil {
		return err
	}
	fmt.Printf("profiled %v of %d clients against %d in-process replicas: %.0f ops/s, p50 %v, p99 %v; view changes:",
		*dur, *clients, *replicas, res.Throughput, res.P50, res.P99)
	for _, n := range nodes {
		fmt.Printf(" %d", n.Status().ViewChanges)
	}
	fmt.Printf("\nsee: go tool pprof -top -tagignore side=client %s\n", *out)
	return nil
}

// profileLoad warms up for a second, then profiles the measured load.
func profileLoad(ctx context.Context, addrs []string, clients int, dur time.Duration, out string) (loadgen.Result, error) {
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: clients})
	if err != nil {
		return loadgen.Result{}, err
	}
	defer c.Close()
	cfg := loadgen.Config{Clients: clients, Duration: time.Second, Keys: 10000, KeySize: 8, ValueSize: 256, Seed: 1}
	if _, err := loadgen.Run(ctx, cfg, loadgen.ClientTarget(c)); err != nil {
		return loadgen.Result{}, err
	}
	f, err := os.Create(out)
	if err != nil {
		return loadgen.Result{}, err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return loadgen.Result{}, err
	}
	cfg.Duration = dur
	res, err := loadgen.Run(ctx, cfg, loadgen.ClientTarget(c))
	pprof.StopCPUProfile()
	return res, err
}
