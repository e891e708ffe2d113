package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/loadgen"
)

// workload is the loadgen configuration the flags describe.
func (f *benchFlags) workload() loadgen.Config {
	return loadgen.Config{
		Clients: f.clients, Duration: f.duration, Ops: f.ops, Keys: f.keys,
		Distribution: f.distribution, ValueSize: f.valueSize, ReadRatio: f.readRatio,
		KeySize: f.keySize, Warmup: f.warmup, Seed: f.seed,
	}
}

// runBench runs one benchmark and prints its report to w, progress to
// progress. A local cluster is stopped whatever happens.
func runBench(parent context.Context, w, progress io.Writer, f benchFlags) (err error) {
	sigCtx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, f.timeout)
	defer cancel()
	var local *benchLocal
	addrs, _ := splitCluster(f.cluster)
	if f.local > 0 {
		ws, _ := parseWitnesses(f.witnesses, f.local) // validated
		if local, err = startBenchLocal(ctx, f, ws); err != nil {
			return err
		}
		defer func() { local.stop(err != nil || f.keepLogs, progress) }()
		addrs = local.addrs
	}
	c, err := dialBench(ctx, f, addrs, local)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := measure(ctx, f, c, local, progress)
	if err != nil {
		return err
	}
	return rep.print(w, f)
}

// dialBench connects and, for a fresh local cluster, waits until it
// answers.
func dialBench(ctx context.Context, f benchFlags, addrs []string, local *benchLocal) (*client.Client, error) {
	cfg := client.Config{Addrs: addrs, ClusterID: f.clusterID, Sessions: f.sessions, ReadMode: client.ReadMode(f.readMode),
		Coalesce: coalesceSetting(f.coalesce)}
	if local != nil {
		cfg.Witnesses = local.witnesses
		return local.dial(ctx, cfg)
	}
	var err error
	if cfg.TLS, err = f.tls.clientConfig(f.clusterID); err != nil {
		return nil, err
	}
	c, err := client.DialConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the cluster: %w", err)
	}
	return c, nil
}

// measure runs the load and gathers the client's and servers' figures.
func measure(ctx context.Context, f benchFlags, c *client.Client, local *benchLocal, progress io.Writer) (*benchReport, error) {
	cfg := f.workload()
	start := time.Now()
	var samples []benchSample
	prog := &progressLog{}
	cfg.Progress = func(s loadgen.Snapshot) {
		printBenchProgress(progress, s)
		prog.add(s)
		if f.plot != "" || f.samples != "" {
			samples = append(samples, sampleOf(s, local))
		}
	}
	var serverCPU0 <-chan []time.Duration
	if local != nil {
		serverCPU0 = local.cpuAt(start.Add(cfg.Warmup))
	}
	faultCtx, endFaults := context.WithCancel(ctx) // faults stop with the load
	defer endFaults()
	faults := scheduleFaults(faultCtx, f, local, start, prog, progress)
	res, err := loadgen.Run(ctx, cfg, loadgen.ClientTarget(c))
	endFaults()
	if err != nil {
		return nil, fmt.Errorf("benchmark interrupted: %w", err)
	}
	if res.Ops == 0 {
		return nil, fmt.Errorf("no request succeeded (%d failed; first error: %s)", res.Errors, res.FirstError)
	}
	rep := &benchReport{Result: res, Target: benchTargetOf(f)}
	if f.plot != "" {
		t := rep.Target
		title := fmt.Sprintf("vr bench: %s; %d clients, %d keys, %d-byte values, %.0f%% reads",
			t.describe(), t.Clients, t.Keys, t.ValueSize, t.ReadRatio*100)
		if err := writePlot(f.plot, title, samples); err != nil {
			return nil, fmt.Errorf("--plot: %w", err)
		}
	}
	if f.samples != "" {
		if err := writeSamples(f.samples, f.keySize+f.valueSize, samples); err != nil {
			return nil, fmt.Errorf("--samples: %w", err)
		}
	}
	rep.Faults = faults()
	if local != nil {
		if len(rep.Faults) == 0 { // a restarted server's CPU starts again from zero
			rep.addServerCPU(<-serverCPU0, local.cpuEach())
		}
		rep.ServerPeakRSS = local.peakRSS()
		rep.ServerDiskBytes = local.diskEach()
		rep.ServerViewChanges, rep.FinalView = local.viewChanges(ctx)
	}
	return rep, nil
}

// printBenchProgress writes one progress line.
func printBenchProgress(w io.Writer, s loadgen.Snapshot) {
	phase := ""
	if s.Warmup {
		phase = " (warmup)"
	}
	fmt.Fprintf(w, "[%3.0fs] %d requests, %.0f req/s, p99 %v, max %v, %d errors%s\n",
		s.Elapsed.Seconds(), s.Ops, s.Rate, ms(s.P99), ms(s.Max), s.Errors, phase)
}

// coalesceSetting maps --coalesce (0: off) to client.Config.Coalesce
// (negative: off).
func coalesceSetting(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
