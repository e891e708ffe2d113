package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// engines are the engines compared, in column order.
var engines = []string{"kv", "pebble"}

// runParent runs every engine at every size in a child process, then the
// build measurement, and prints the table.
func runParent(cfg config) error {
	if cfg.dir == "" {
		dir, err := os.MkdirTemp("", "storage-compare-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.dir = dir
	}
	m := describeMachine()
	var results []result
	for _, n := range cfg.sizes {
		for _, name := range engines {
			fmt.Fprintf(os.Stderr, "compare: %s at %d keys...\n", name, n)
			r, err := spawn(cfg, name, n)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	var builds []buildResult
	if cfg.build {
		var err error
		if builds, err = measureBuilds(cfg.dir); err != nil {
			return err
		}
	}
	m.loadAfter = loadAverage()
	printReport(os.Stdout, cfg, m, results, builds)
	return nil
}

// spawn runs one measurement in a fresh process and decodes its result.
func spawn(cfg config, name string, n int) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	dir := filepath.Join(cfg.dir, name+"-"+strconv.Itoa(n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(self, "-child", name+":"+strconv.Itoa(n), "-dir", dir,
		"-ops", strconv.Itoa(cfg.ops), "-rounds", strconv.Itoa(cfg.rounds), "-gap", strconv.Itoa(cfg.gap),
		"-cache", strconv.FormatInt(cfg.pebble.CacheSize>>20, 10), "-memtable", strconv.FormatUint(cfg.pebble.MemTableSize>>20, 10))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s at %d keys: %w", name, n, err)
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return result{}, fmt.Errorf("%s at %d keys: bad output: %w", name, n, err)
	}
	return r, nil
}
