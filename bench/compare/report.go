package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
)

// report is the comparison's output: the table and every run behind it.
type report struct {
	Machine   machine `json:"machine"`
	Duration  string  `json:"duration_per_run"`
	Warmup    string  `json:"warmup_per_run"`
	Keys      int     `json:"keys"`
	ValueSize int     `json:"value_size"`
	ReadRatio float64 `json:"read_ratio"`
	Took      string  `json:"took"`
	// ServerGOMAXPROCS is --server-gomaxprocs (share or inherit).
	ServerGOMAXPROCS string       `json:"server_gomaxprocs"`
	Rows             []row        `json:"rows"`
	Runs             []*runResult `json:"runs"`
}

// machine describes where the comparison ran.
type machine struct {
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model"`
	GoVersion  string `json:"go_version"`
	LoadBefore string `json:"load_average_before"`
	LoadAfter  string `json:"load_average_after"`
}

func machineInfo() machine {
	return machine{CPUs: runtime.NumCPU(), CPUModel: cpuModel(), GoVersion: runtime.Version()}
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
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

func (r *report) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	m := r.Machine
	fmt.Fprintf(w, "machine: %d CPUs (%s), %s\n\n", m.CPUs, m.CPUModel, m.GoVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tetcd 3.7.3\tvr\tratio\ttarget\tresult\tserver CPU s/1000 ops (etcd / vr)")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3g\t%s\t%s\t%s\n", x.Case, x.Etcd, x.VR, x.Ratio, x.Target, x.Result, x.CPU)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d CPUs (%s), %s; %s measured + %s warmup per run, %d keys, %.0f%% reads, "+
		"8-byte keys, %d-byte values; servers' GOMAXPROCS: %s; load average %s before, %s after; took %s\n",
		m.CPUs, m.CPUModel, m.GoVersion, r.Duration, r.Warmup, r.Keys, r.ReadRatio*100, r.ValueSize, procsNote(r.ServerGOMAXPROCS),
		m.LoadBefore, m.LoadAfter, r.Took)
	return err
}

// procsNote says how the servers' GOMAXPROCS was set.
func procsNote(mode string) string {
	if mode == procsInherit {
		return "inherited"
	}
	return "each server process its share of the CPUs (CPUs / server processes, at least 1)"
}
