// Command compare measures the two candidate state-machine engines of the
// durable mode side by side, kv.Store (in-memory B-tree, checkpointed by
// writing its snapshot to a file) and pebblekv.Store (Pebble without its
// WAL, checkpointed with Pebble checkpoints), and prints one table. The
// command streams come from fixed seeds, so a run is reproducible up to
// the machine's noise: docs/storage-engine.md is regenerated with
//
//	cd bench/storage && go run ./cmd/compare
//
// Each engine and size runs in a fresh child process, so that memory
// figures are not polluted by the other runs.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vr-go/vr/bench/storage/pebblekv"
)

// config is what the flags set.
type config struct {
	sizes  []int
	ops    int
	rounds int
	gap    int
	build  bool
	dir    string
	child  string
	pebble pebblekv.Options
}

func main() {
	var cfg config
	sizes := flag.String("sizes", "100000,1000000", "comma-separated key counts")
	flag.IntVar(&cfg.ops, "ops", 100_000, "commands per timed round")
	flag.IntVar(&cfg.rounds, "rounds", 3, "timed rounds per mix (the median is reported)")
	flag.IntVar(&cfg.gap, "gap", 10_000, "Puts between the two checkpoints")
	flag.BoolVar(&cfg.build, "build", true, "also measure cold build time and binary size with and without Pebble")
	flag.StringVar(&cfg.dir, "dir", "", "scratch directory (default: a new temporary one)")
	flag.StringVar(&cfg.child, "child", "", "internal: run one measurement, engine:size")
	cacheMiB := flag.Int64("cache", pebblekv.DefaultCacheSize>>20, "Pebble block cache (MiB)")
	memMiB := flag.Uint64("memtable", pebblekv.DefaultMemTableSize>>20, "Pebble memtable size (MiB)")
	flag.Parse()
	cfg.pebble = pebblekv.Options{CacheSize: *cacheMiB << 20, MemTableSize: *memMiB << 20}
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	if cfg.child != "" {
		err = runChild(cfg)
	} else {
		err = runParent(cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// parseSizes parses a comma-separated list of positive counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
