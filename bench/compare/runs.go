package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// Systems under comparison.
const (
	sysEtcd = "etcd"
	sysVR   = "vr"
)

// runSpec is one measured run: a fresh cluster under one load.
type runSpec struct {
	System   string `json:"system"`
	Replicas int    `json:"replicas"`
	Fsync    bool   `json:"fsync"`
	// Tmpfs (vr only): durable with --sync sync, but the data directory is
	// on tmpfs, so that fsync costs nothing.
	Tmpfs bool `json:"tmpfs,omitempty"`
	// InProcess runs every member (replica) in one process instead of
	// one process each (diskless vr; fsync must be off).
	InProcess bool `json:"in_process,omitempty"`
	Clients   int  `json:"clients"`
}

func (s runSpec) String() string {
	fs := "fsync " + onOff(s.Fsync)
	if s.Tmpfs {
		fs = "durable on tmpfs"
	}
	where := ""
	if s.InProcess {
		where = " in one process"
	}
	return fmt.Sprintf("%s, %d replicas%s, %s, %d clients", s.System, s.Replicas, where, fs, s.Clients)
}

// runResult is what one run measured.
type runResult struct {
	runSpec
	loadgen.Result
	// ServerCPUSeconds is the CPU the server processes used while
	// measuring, summed over all of them (from /proc/PID/stat).
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	ServerCPUPer1000 float64 `json:"server_cpu_seconds_per_1000_ops"`
	// ServerGOMAXPROCS is each server process's GOMAXPROCS (0: inherited).
	ServerGOMAXPROCS int `json:"server_gomaxprocs"`
	// LoadAverage is the machine's load average right after the run.
	LoadAverage string `json:"load_average_after"`
	// Seconds are the measured seconds' request rates and p99 latencies,
	// in order (the warmup left out).
	Seconds []second `json:"seconds,omitempty"`
}

// cluster is a started system: a Target to load and processes to watch.
type cluster struct {
	target loadgen.Target
	procs  []*proc
	stop   func()
}

// runOne starts a fresh cluster for spec in its own directory, loads it,
// and stops and removes it.
func (b *bench) runOne(ctx context.Context, n int, spec runSpec) (*runResult, error) {
	dir := filepath.Join(b.root, fmt.Sprintf("run-%02d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	defer removeAll(dir)
	defer removeAll(b.dataDir(dir, spec))
	cl, err := b.start(ctx, dir, spec)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", spec, err)
	}
	defer cl.stop()
	cfg := b.workload(spec.Clients)
	var seconds []second
	cfg.Progress = func(s loadgen.Snapshot) {
		if !s.Warmup {
			seconds = append(seconds, second{Rate: s.Rate, P99: s.P99})
		}
	}
	cpu0 := make(chan time.Duration, 1)
	time.AfterFunc(cfg.Warmup, func() { cpu0 <- procsCPU(cl.procs) })
	res, err := loadgen.Run(ctx, cfg, cl.target)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", spec, err)
	}
	if res.Ops == 0 {
		return nil, fmt.Errorf("%v: no operation succeeded (%d failed, first: %s)", spec, res.Errors, res.FirstError)
	}
	r := &runResult{runSpec: spec, Result: res, ServerCPUSeconds: -1, ServerCPUPer1000: -1, ServerGOMAXPROCS: b.gomaxprocs(spec), LoadAverage: loadAvg(),
		Seconds: seconds}
	if c0, c1 := <-cpu0, procsCPU(cl.procs); c0 >= 0 && c1 >= 0 {
		r.ServerCPUSeconds = (c1 - c0).Seconds()
		r.ServerCPUPer1000 = r.ServerCPUSeconds / float64(res.Ops) * 1000
	}
	return r, nil
}

// gomaxprocs is the GOMAXPROCS of each server process of spec: with
// --server-gomaxprocs share, the share of the CPUs of each of its
// processes (one per member, or one for all), the same rule for both
// systems; 0 (inherited) with inherit.
func (b *bench) gomaxprocs(spec runSpec) int {
	if b.opts.serverProcs == procsInherit {
		return 0
	}
	if spec.InProcess {
		return coreShare(1)
	}
	return coreShare(spec.Replicas)
}

// workload is the same for both systems: 8-byte keys, --value-size values
// (256 bytes by default).
func (b *bench) workload(clients int) loadgen.Config {
	return loadgen.Config{
		Clients: clients, Duration: b.opts.duration, Warmup: b.opts.warmup, Keys: b.opts.keys,
		KeySize: 8, ValueSize: b.opts.valueSize, ReadRatio: b.opts.readRatio, Seed: 1,
	}
}

// dataDir is where a run keeps its servers' data and logs.
func (b *bench) dataDir(dir string, spec runSpec) string {
	if spec.Tmpfs {
		return filepath.Join(b.shm, filepath.Base(dir))
	}
	return dir
}

// start starts the system of spec and connects to it.
func (b *bench) start(ctx context.Context, dir string, spec runSpec) (*cluster, error) {
	if spec.System == sysEtcd {
		ec, err := startEtcd(ctx, dir, spec.Replicas, spec.Fsync, spec.InProcess, b.gomaxprocs(spec))
		if err != nil {
			return nil, err
		}
		t, err := newEtcdTarget(ec.leader, etcdConns(spec.Clients))
		if err != nil {
			ec.stop()
			return nil, err
		}
		return &cluster{target: t, procs: ec.procs, stop: func() { t.close(); ec.stop() }}, nil
	}
	vc, err := startVR(ctx, b.vrBin, b.dataDir(dir, spec), spec, b.gomaxprocs(spec))
	if err != nil {
		return nil, err
	}
	c, err := vc.dial(ctx, spec.Clients)
	if err != nil {
		vc.stop()
		return nil, err
	}
	return &cluster{target: loadgen.ClientTarget(c), procs: vc.procs, stop: func() { c.Close(); vc.stop() }}, nil
}
