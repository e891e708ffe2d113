// Command compare runs the same closed-loop load (package loadgen) against
// etcd 3.7 and against vr, three replicas each on 127.0.0.1, and prints one
// table of the figures side by side with the project's targets.
//
//	cd bench/compare && go run . [--duration 10s] [--json] [--only replication]
//
// --only replication runs just the replication row's two runs (three
// replicas and one, durable on tmpfs), for before/after comparisons.
// --only sustained runs a long load on both systems instead (see
// sustained.go):
//
//	go run . --only sustained --keys 1000000 --value-size 1024 --duration 150s
//
// Both systems run as child processes: etcd members through this binary's
// hidden etcd-member subcommand (go.etcd.io/etcd/server/v3/embed), vr as
// `vr server` processes built from the main module. `go run . profile`
// collects a CPU profile of an in-process vr cluster instead (see
// profile.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	duration, warmup time.Duration
	keys             int
	valueSize        int
	readRatio        float64
	json             bool
	dataRoot         string
	shmRoot          string
	vrBin            string
	// only names a subset of the runs (onlyAll or onlyReplication).
	only string
	// serverProcs sets the servers' GOMAXPROCS (procsShare or procsInherit).
	serverProcs string
}

// Values of --server-gomaxprocs.
const (
	procsShare   = "share"
	procsInherit = "inherit"
)

// Values of --only.
const (
	onlyAll         = "all"
	onlyReplication = "replication"
	onlySustained   = "sustained"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == etcdMemberCmd {
		exitOn(runEtcdMember(os.Args[2:]))
		return
	}
	if len(os.Args) > 1 && os.Args[1] == etcdMembersCmd {
		exitOn(runEtcdMembers(os.Args[2:]))
		return
	}
	if len(os.Args) > 1 && os.Args[1] == vrReplicasCmd {
		exitOn(runVRReplicas(os.Args[2:]))
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "profile" {
		exitOn(runProfile(os.Args[2:]))
		return
	}
	opts, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	exitOn(err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exitOn(compare(ctx, opts, os.Stdout, os.Stderr))
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each run's measurement")
	fs.IntVar(&o.keys, "keys", 10000, "distinct keys (uniform)")
	fs.IntVar(&o.valueSize, "value-size", 256, "bytes per written value")
	fs.Float64Var(&o.readRatio, "read-ratio", 0, "fraction of Gets (linearizable on both systems)")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of the table")
	fs.StringVar(&o.dataRoot, "data-root", os.TempDir(), "where the runs' data directories go (use a real disk: fsync is measured)")
	fs.StringVar(&o.shmRoot, "shm-root", "/dev/shm", "a tmpfs directory, for the replication-overhead runs")
	fs.StringVar(&o.vrBin, "vr-bin", "", "an already built vr binary (default: go build it)")
	fs.StringVar(&o.only, "only", onlyAll, "which runs: all; replication (the two tmpfs runs and their row only); or sustained (a long run of each system, fsync on and off, judged second by second)")
	fs.StringVar(&o.serverProcs, "server-gomaxprocs", procsShare,
		"each server process's GOMAXPROCS, for both systems: share (the CPUs divided among the cluster's server processes, at least 1, as a container limited to that share would set it) or inherit (this process's)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	longest := 5 * time.Minute
	if o.only == onlySustained {
		longest = 30 * time.Minute
	}
	if o.duration < time.Second || o.duration > longest || o.warmup < 0 || o.warmup > time.Minute {
		return o, fmt.Errorf("--duration must be within 1s..%v and --warmup within 0..1m", longest)
	}
	if o.valueSize < 0 || o.valueSize > 1<<20 {
		return o, fmt.Errorf("--value-size must be within 0..1MiB")
	}
	if o.keys < 1 || o.keys > 100_000_000 || o.readRatio < 0 || o.readRatio > 1 {
		return o, fmt.Errorf("--keys must be within 1..1e8 and --read-ratio within 0..1")
	}
	if o.serverProcs != procsShare && o.serverProcs != procsInherit {
		return o, fmt.Errorf("--server-gomaxprocs must be %s or %s", procsShare, procsInherit)
	}
	if o.only != onlyAll && o.only != onlyReplication && o.only != onlySustained {
		return o, fmt.Errorf("--only must be %s, %s or %s", onlyAll, onlyReplication, onlySustained)
	}
	return o, nil
}

// compare runs every case and prints the report to w, progress to log.
func compare(ctx context.Context, opts options, w, log io.Writer) error {
	runs := len(plan(opts.only))
	limit := time.Duration(runs)*(opts.duration+opts.warmup+time.Minute) + 5*time.Minute
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	b, err := newBench(ctx, opts, log)
	if err != nil {
		return err
	}
	defer b.cleanup()
	rep, err := b.runAll(ctx)
	if err != nil {
		return err
	}
	return rep.print(w, opts.json)
}
