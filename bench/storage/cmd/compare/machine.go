package main

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"time"
)

// machine describes where the numbers were taken.
type machine struct {
	cpu        string
	cores      int
	memory     string
	goVersion  string
	date       string
	loadBefore string
	loadAfter  string
}

// describeMachine reads the CPU model, memory and load from /proc.
func describeMachine() machine {
	return machine{
		cpu:        procField("/proc/cpuinfo", "model name"),
		cores:      runtime.NumCPU(),
		memory:     procField("/proc/meminfo", "MemTotal"),
		goVersion:  runtime.Version(),
		date:       time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		loadBefore: loadAverage(),
	}
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// procField returns the value of the first "name: value" line of a /proc
// file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
