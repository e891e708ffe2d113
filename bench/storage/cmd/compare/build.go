package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildResult is the cold build of one tiny program.
type buildResult struct {
	name   string
	wall   time.Duration
	binary int64
}

// measureBuilds builds cmd/tinykv and cmd/tinypebble, each with an empty
// build cache (the module cache stays: no download is timed), and returns
// the wall time and binary size.
func measureBuilds(scratch string) ([]buildResult, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	var out []buildResult
	for _, name := range []string{"tinykv", "tinypebble"} {
		fmt.Fprintf(os.Stderr, "compare: cold build of %s...\n", name)
		cache := filepath.Join(scratch, "gocache-"+name)
		bin := filepath.Join(scratch, name)
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/"+name)
		cmd.Dir, cmd.Stderr = root, os.Stderr
		cmd.Env = append(os.Environ(), "GOCACHE="+cache)
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		wall := time.Since(start)
		info, err := os.Stat(bin)
		if err != nil {
			return nil, err
		}
		out = append(out, buildResult{name: name, wall: wall, binary: info.Size()})
		_ = os.RemoveAll(cache)
	}
	return out, nil
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if !strings.HasSuffix(gomod, "bench/storage/go.mod") {
		return "", fmt.Errorf("run compare from bench/storage (go.mod is %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}
