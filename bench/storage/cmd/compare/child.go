package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/bench/storage/engine"
	"github.com/vr-go/vr/bench/storage/internal/workload"
	"github.com/vr-go/vr/bench/storage/pebblekv"
	"github.com/vr-go/vr/kv"
)

// result is one engine's measurements at one size, sent by the child to
// the parent as JSON. Times are nanoseconds.
type result struct {
	Engine string
	N      int

	LoadPerOp float64 // inserting the N keys in random order
	Heap      uint64  // Go heap in use after the load, after GC
	Cache     int64   // Pebble block cache (off the Go heap)
	MemTables int64   // Pebble memtables (off the Go heap)
	RSS       uint64  // resident set after the load

	PutPerOp, MixedPerOp, GetPerOp float64 // medians of the rounds

	WriteAmp float64 // Pebble: sstable bytes written / user bytes put
	Debt     uint64  // Pebble: compaction debt left at the end

	Ckpt, CkptGap engine.CheckpointStats // after the mixes; after gap more Puts
	CkptTime      float64
	CkptGapTime   float64
	Restore       float64 // opening the second checkpoint
	ColdGetPerOp  float64 // the first Gets after the restore
	RestoreRSS    uint64
}

// runChild measures one engine at one size and prints the result as JSON.
func runChild(cfg config) error {
	name, sizeText, _ := strings.Cut(cfg.child, ":")
	n, err := strconv.Atoi(sizeText)
	if err != nil {
		return fmt.Errorf("bad -child %q", cfg.child)
	}
	r := result{Engine: name, N: n}
	e, err := openEngine(name, filepath.Join(cfg.dir, "db"), cfg.pebble)
	if err != nil {
		return err
	}
	r.LoadPerOp = perOp(engine.Load(e, n, 1), n)
	r.Heap, r.RSS = engine.HeapInUse(), engine.RSS()
	if p, ok := e.(*engine.Pebble); ok {
		r.Cache, r.MemTables = p.OffHeap()
	}
	g := workload.New(2, n)
	if err := runWork(&r, e, g, cfg); err != nil {
		return err
	}
	if err := e.Close(); err != nil {
		return err
	}
	engine.HeapInUse() // collect the closed engine before timing the restore
	if err := restoreAndRead(&r, filepath.Join(cfg.dir, "ckpt2"), g, cfg); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// runWork times the mixes and the two checkpoints and, for Pebble, takes
// the write amplification of the mixes.
func runWork(r *result, e engine.Engine, g *workload.Gen, cfg config) error {
	p, isPebble := e.(*engine.Pebble)
	var written0 uint64
	if isPebble {
		written0 = p.PhysicalWritten()
	}
	var puts1, puts2 int
	r.PutPerOp, puts1 = medianRun(e, g, workload.PutOnly, cfg)
	r.MixedPerOp, puts2 = medianRun(e, g, workload.GetPut, cfg)
	r.GetPerOp, _ = medianRun(e, g, workload.GetOnly, cfg)
	var err error
	if r.Ckpt, r.CkptTime, err = checkpoint(e, filepath.Join(cfg.dir, "ckpt1")); err != nil {
		return err
	}
	if isPebble {
		userBytes := (puts1 + puts2) * (workload.KeySize + workload.ValueSize)
		r.WriteAmp = float64(p.PhysicalWritten()-written0) / float64(userBytes)
		r.Debt = p.Metrics().Compact.EstimatedDebt
	}
	engine.Run(e, g.Ops(workload.PutOnly, cfg.gap))
	r.CkptGap, r.CkptGapTime, err = checkpoint(e, filepath.Join(cfg.dir, "ckpt2"))
	return err
}

// restoreAndRead times opening the checkpoint and the first Gets on it.
func restoreAndRead(r *result, dir string, g *workload.Gen, cfg config) error {
	gets := g.Ops(workload.GetOnly, 10_000)
	start := time.Now()
	e, err := restoreEngine(r.Engine, dir, cfg.pebble)
	if err != nil {
		return err
	}
	r.Restore = float64(time.Since(start))
	r.ColdGetPerOp = perOp(engine.Run(e, gets), len(gets))
	r.RestoreRSS = engine.RSS()
	return e.Close()
}

// medianRun runs cfg.rounds rounds of cfg.ops commands of the mix and
// returns the median time per op and how many of the commands were Puts.
func medianRun(e engine.Engine, g *workload.Gen, m workload.Mix, cfg config) (float64, int) {
	var times []float64
	puts := 0
	for range cfg.rounds {
		ops := g.Ops(m, cfg.ops)
		for _, op := range ops {
			if kv.Kind(op[0]) == kv.KindPut {
				puts++
			}
		}
		times = append(times, perOp(engine.Run(e, ops), len(ops)))
	}
	slices.Sort(times)
	return times[len(times)/2], puts
}

// checkpoint times one checkpoint into dir.
func checkpoint(e engine.Engine, dir string) (engine.CheckpointStats, float64, error) {
	start := time.Now()
	st, err := e.Checkpoint(dir)
	return st, float64(time.Since(start)), err
}

// openEngine creates an empty engine; a Pebble one in dir.
func openEngine(name, dir string, o pebblekv.Options) (engine.Engine, error) {
	switch name {
	case "kv":
		return engine.NewMem(), nil
	case "pebble":
		return engine.OpenPebble(dir, o)
	}
	return nil, fmt.Errorf("unknown engine %q", name)
}

// restoreEngine brings an engine back from the checkpoint in dir.
func restoreEngine(name, dir string, o pebblekv.Options) (engine.Engine, error) {
	if name == "kv" {
		return engine.RestoreMem(dir)
	}
	return engine.OpenPebble(dir, o)
}

// perOp is nanoseconds per op.
func perOp(d time.Duration, n int) float64 { return float64(d) / float64(n) }
