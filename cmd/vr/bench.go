package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/loadgen"
)

// benchFlags are the flags of `vr bench`.
type benchFlags struct {
	clients, ops, keys, valueSize, keySize, sessions int
	coalesce                                         int
	duration, warmup, timeout                        time.Duration
	distribution                                     string
	readRatio                                        float64
	readMode                                         string
	seed                                             uint64
	cluster                                          string
	clusterID                                        uint64
	local                                            int
	witnesses                                        string
	durable                                          bool
	sync                                             string
	json                                             bool
	plot                                             string
	samples                                          string
	tls                                              tlsFlags
	// serverLogLevel, serverArgs and keepLogs shape the --local servers:
	// their --log-level, extra `vr server` flags, and whether their logs
	// are kept after the run.
	serverLogLevel string
	serverArgs     []string
	keepLogs       bool
	// killBackupAt and killPrimaryAt (0: never) kill a server of the local
	// cluster that long into the measured period; restartAfter later it
	// starts again (bench_kill.go).
	killBackupAt, killPrimaryAt, restartAfter time.Duration
}

func init() { register(newBenchCmd) }

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure throughput and latency of a cluster under a closed-loop load",
		Long: `bench runs --clients concurrent clients, each issuing Get or Put requests
back-to-back on --keys fixed-width keys, for --duration (or --ops requests in
total) after a --warmup, and reports throughput, latency percentiles, errors
and CPU seconds per 1,000 requests.

Target a running cluster with --cluster (or VR_CLUSTER), or let bench start
its own with --local N: N "vr server" processes on free 127.0.0.1 ports,
diskless, or durable with --durable (in a temporary directory, removed at the
end). With --local it also reports the servers' CPU, read from /proc.

While it runs, a progress line goes to stderr once per second.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.resolve(cmd); err != nil {
				return usageError{err}
			}
			return runBench(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	f.register(cmd)
	return cmd
}

func (f *benchFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVar(&f.clients, "clients", 64, "concurrent clients, each with one request outstanding")
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "how long to measure, after --warmup")
	fl.IntVar(&f.ops, "ops", 0, "measure this many requests instead of a --duration")
	fl.DurationVar(&f.warmup, "warmup", time.Second, "load applied before measuring")
	fl.IntVar(&f.keys, "keys", 10000, "number of distinct keys")
	fl.StringVar(&f.distribution, "distribution", loadgen.Uniform, "key popularity: uniform or zipf")
	fl.IntVar(&f.valueSize, "value-size", 256, "bytes per written value")
	fl.IntVar(&f.keySize, "key-size", 8, "bytes per key (decimal, zero-padded)")
	fl.Float64Var(&f.readRatio, "read-ratio", 0, "fraction of requests that are Gets (0..1)")
	fl.StringVar(&f.readMode, "read-mode", string(client.ReadLease), "how Gets are served: lease, log or stale")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the clients' random choices")
	fl.IntVar(&f.sessions, "sessions", 0, "client sessions in the pool (default: --clients)")
	fl.IntVar(&f.coalesce, "coalesce", 1, "pack concurrent writes into batches, at most this many in flight (0: off)")
	fl.StringVar(&f.cluster, "cluster", "", "a running cluster: every replica's host:port, in configuration order (env VR_CLUSTER)")
	fl.Uint64Var(&f.clusterID, "cluster-id", 0, "the running cluster's id (env VR_CLUSTER_ID)")
	fl.IntVar(&f.local, "local", 0, "start a local cluster of N server processes instead (1, 3, 5, ...)")
	fl.BoolVar(&f.durable, "durable", false, "with --local: durable servers (--data-dir in a temporary directory)")
	fl.StringVar(&f.witnesses, "witnesses", "", "with --local: these server indexes run as witnesses (comma-separated, at most f); the report then shows each server's CPU and disk")
	fl.StringVar(&f.sync, "sync", "sync", "with --local --durable: the servers' --sync policy, sync or async")
	fl.DurationVar(&f.timeout, "timeout", 5*time.Minute, "give up if the whole run takes longer (default: 5m more than --warmup plus --duration)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	fl.StringVar(&f.plot, "plot", "", "write an SVG plot of the request rate (and, with --local, each server's memory) per second to this file")
	fl.StringVar(&f.samples, "samples", "", "write one CSV row per second to this file: request rate, p99, distinct keys written and the data they hold, and with --local each server's memory (bench/plot draws them against the data size)")
	fl.StringVar(&f.serverLogLevel, "server-log-level", "warn", "with --local: the servers' --log-level (debug, info, warn, error)")
	fl.StringArrayVar(&f.serverArgs, "server-arg", nil, "with --local: one more `vr server` flag for every server, e.g. --server-arg=--view-timeout=1s (repeatable)")
	fl.BoolVar(&f.keepLogs, "keep-logs", false, "with --local: keep the servers' logs (and data) after the run, and say where")
	fl.DurationVar(&f.killBackupAt, "kill-backup-at", 0, "with --local: SIGKILL a backup this long into the measured period, restart it --restart-after later, and report how long it took to catch up and the clients' p99 meanwhile")
	fl.DurationVar(&f.killPrimaryAt, "kill-primary-at", 0, "with --local: SIGKILL the primary this long into the measured period, report how long the view change took, restart it --restart-after later and report its catch-up")
	fl.DurationVar(&f.restartAfter, "restart-after", 5*time.Second, "with --kill-backup-at or --kill-primary-at: how long the killed server stays down")
	f.tls.register(cmd, "a running cluster: the client's")
}

// resolve applies VR_CLUSTER / VR_CLUSTER_ID and checks every flag.
func (f *benchFlags) resolve(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if fl.Changed("ops") && fl.Changed("duration") {
		return fmt.Errorf("pass --duration or --ops, not both")
	}
	if fl.Changed("ops") {
		f.duration = 0
	}
	// The whole-run deadline must outlast the measured period: unless
	// given, it is 5 minutes more than --warmup plus --duration (a fixed
	// 5 minutes ended every --duration 10m run halfway).
	if !fl.Changed("timeout") {
		f.timeout = max(f.timeout, f.warmup+f.duration+5*time.Minute)
	}
	if f.local == 0 && !fl.Changed("cluster") {
		f.cluster = os.Getenv("VR_CLUSTER")
	}
	if v, ok := os.LookupEnv("VR_CLUSTER_ID"); ok && !fl.Changed("cluster-id") && f.local == 0 {
		if err := fl.Set("cluster-id", v); err != nil {
			return fmt.Errorf("environment VR_CLUSTER_ID=%q: %v", v, err)
		}
	}
	for _, name := range []string{"tls-cert", "tls-key", "tls-ca"} {
		if v, ok := os.LookupEnv(envName(name)); ok && !fl.Changed(name) && f.local == 0 {
			if err := fl.Set(name, v); err != nil {
				return err
			}
		}
	}
	if f.sessions == 0 {
		f.sessions = f.clients
	}
	return f.validate(fl.Changed("cluster"), fl.Changed("durable") || fl.Changed("sync"))
}
