package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// bench is one comparison: its settings, scratch space and results.
type bench struct {
	opts    options
	root    string // scratch directory, removed at the end
	shm     string // scratch directory on tmpfs, removed at the end
	vrBin   string
	log     io.Writer
	results map[runSpec]*runResult
}

func newBench(ctx context.Context, opts options, log io.Writer) (*bench, error) {
	root, err := os.MkdirTemp(opts.dataRoot, "vr-compare-")
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, root: root, vrBin: opts.vrBin, log: log, results: map[runSpec]*runResult{}}
	if b.shm, err = os.MkdirTemp(opts.shmRoot, "vr-compare-"); err != nil {
		os.RemoveAll(root)
		return nil, fmt.Errorf("the replication-overhead runs need a tmpfs directory (--shm-root): %w", err)
	}
	if b.vrBin == "" {
		fmt.Fprintln(log, "building vr ...")
		if b.vrBin, err = buildVR(ctx, root); err != nil {
			b.cleanup()
			return nil, err
		}
	}
	return b, nil
}

// cleanup removes the scratch directories.
func (b *bench) cleanup() {
	os.RemoveAll(b.root)
	os.RemoveAll(b.shm)
}

// plan lists the runs of only (onlyAll, onlyReplication or onlySustained). Each case
// runs etcd, then vr, so that both see the machine in the same state.
func plan(only string) []runSpec {
	// Replication overhead: vr with 3 replicas and with 1 (f = 0) under the
	// same load, both durable with their data on tmpfs: the whole durable
	// code path, without the disk's cost.
	replication := []runSpec{{System: sysVR, Replicas: 3, Tmpfs: true, Clients: 64},
		{System: sysVR, Replicas: 1, Tmpfs: true, Clients: 64}}
	switch only {
	case onlyReplication:
		return replication
	case onlySustained:
		return sustainedPlan()
	}
	var specs []runSpec
	for _, c := range []struct {
		fsync     bool
		clients   int
		inProcess bool
	}{{false, 64, false}, {true, 64, false}, {false, 64, true}, {false, 1, false}, {true, 1, false}, {false, 1, true}, {false, 1000, false}} {
		specs = append(specs,
			runSpec{System: sysEtcd, Replicas: 3, Fsync: c.fsync, Clients: c.clients, InProcess: c.inProcess},
			runSpec{System: sysVR, Replicas: 3, Fsync: c.fsync, Clients: c.clients, InProcess: c.inProcess})
	}
	return append(specs, replication...)
}

// runAll runs the plan and builds the report.
func (b *bench) runAll(ctx context.Context) (*report, error) {
	rep := &report{Machine: machineInfo(), Duration: b.opts.duration.String(), Warmup: b.opts.warmup.String(),
		Keys: b.opts.keys, ValueSize: b.opts.valueSize, ReadRatio: b.opts.readRatio, ServerGOMAXPROCS: b.opts.serverProcs}
	rep.Machine.LoadBefore = loadAvg()
	began := time.Now()
	specs := plan(b.opts.only)
	for i, spec := range specs {
		fmt.Fprintf(b.log, "[%2d/%d] %v ...", i+1, len(specs), spec)
		r, err := b.runOne(ctx, i, spec)
		if err != nil {
			fmt.Fprintln(b.log)
			return nil, err
		}
		fmt.Fprintf(b.log, " %.0f ops/s, p50 %v, p99 %v, %d errors, load %s\n",
			r.Throughput, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Errors, r.LoadAverage)
		b.results[spec] = r
		rep.Runs = append(rep.Runs, r)
	}
	rep.Machine.LoadAfter, rep.Took = loadAvg(), time.Since(began).Round(time.Second).String()
	rep.Rows = b.rows()
	return rep, nil
}

// get is the result of a run of the plan, one process per member.
func (b *bench) get(system string, replicas int, fsync bool, clients int) *runResult {
	return b.results[runSpec{System: system, Replicas: replicas, Fsync: fsync, Clients: clients}]
}

// getInProcess is the result of a run with every member in one process.
func (b *bench) getInProcess(system string, clients int) *runResult {
	return b.results[runSpec{System: system, Replicas: 3, Clients: clients, InProcess: true}]
}

// getTmpfs is the result of a vr run with its data on tmpfs.
func (b *bench) getTmpfs(replicas int) *runResult {
	return b.results[runSpec{System: sysVR, Replicas: replicas, Tmpfs: true, Clients: 64}]
}
