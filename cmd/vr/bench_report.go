package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// benchReport is what `vr bench` prints; it is also its JSON output.
type benchReport struct {
	Target benchTarget `json:"target"`
	loadgen.Result
	// ServerCPUSeconds is the servers' user+system CPU (all of them,
	// from /proc/PID/stat) while measuring; only with --local.
	ServerCPUSeconds *float64 `json:"server_cpu_seconds,omitempty"`
	ServerCPUPer1000 *float64 `json:"server_cpu_seconds_per_1000_ops,omitempty"`
	// ServerPeakRSS is each server's peak resident memory (VmHWM), in
	// bytes; only with --local.
	ServerPeakRSS []int64 `json:"server_peak_rss_bytes,omitempty"`
	// ServerCPUEach is each server's CPU seconds per 1000 requests, and
	// ServerDiskBytes what each server's data directory holds at the end
	// (durable); only with --local.
	ServerCPUEach   []float64 `json:"server_cpu_seconds_per_1000_ops_each,omitempty"`
	ServerDiskBytes []int64   `json:"server_disk_bytes,omitempty"`
	// ServerViewChanges is how many view changes each server went through
	// (started or joined), and FinalView the view the cluster ended in;
	// only with --local. A healthy run under load has none.
	ServerViewChanges []uint64 `json:"server_view_changes,omitempty"`
	FinalView         uint64   `json:"final_view"`
	// Faults is what --kill-backup-at and --kill-primary-at measured; the
	// servers' CPU is then not reported (a restarted process starts
	// counting again), and a restarted server's peak RSS and view changes
	// are its new process's.
	Faults []benchFault `json:"faults,omitempty"`
}

// benchTarget describes the cluster and the workload.
type benchTarget struct {
	Cluster      []string `json:"cluster,omitempty"` // for a running cluster
	Local        int      `json:"local_servers,omitempty"`
	Witnesses    string   `json:"witnesses,omitempty"` // --witnesses of a local cluster
	Durable      bool     `json:"durable"`
	Sync         string   `json:"sync,omitempty"`
	Clients      int      `json:"clients"`
	Sessions     int      `json:"sessions"`
	Keys         int      `json:"keys"`
	Distribution string   `json:"distribution"`
	KeySize      int      `json:"key_size"`
	ValueSize    int      `json:"value_size"`
	ReadRatio    float64  `json:"read_ratio"`
}

func benchTargetOf(f benchFlags) benchTarget {
	t := benchTarget{Local: f.local, Witnesses: f.witnesses, Durable: f.local > 0 && f.durable, Clients: f.clients, Sessions: f.sessions,
		Keys: f.keys, Distribution: f.distribution, KeySize: f.keySize, ValueSize: f.valueSize, ReadRatio: f.readRatio}
	if f.local == 0 {
		t.Cluster, _ = splitCluster(f.cluster)
	} else if t.Durable {
		t.Sync = f.sync
	}
	return t
}

// addServerCPU records the servers' CPU between two readings of each.
func (r *benchReport) addServerCPU(before, after []time.Duration) {
	if before == nil || after == nil {
		return
	}
	var s float64
	r.ServerCPUEach = make([]float64, len(after))
	for i := range after {
		d := (after[i] - before[i]).Seconds()
		s += d
		r.ServerCPUEach[i] = d / float64(r.Ops) * 1000
	}
	per := s / float64(r.Ops) * 1000
	r.ServerCPUSeconds, r.ServerCPUPer1000 = &s, &per
}

func (r *benchReport) print(w io.Writer, f benchFlags) error {
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	t := r.Target
	fmt.Fprintf(w, "vr bench: %s; %d clients, %d keys (%s), %d-byte keys, %d-byte values, %.0f%% reads\n",
		t.describe(), t.Clients, t.Keys, t.Distribution, t.KeySize, t.ValueSize, t.ReadRatio*100)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "  %s\t%s\n", k, fmt.Sprintf(format, args...)) }
	row("throughput", "%.0f req/s", r.Throughput)
	row("requests", "%d in %v (%d reads, %d writes)", r.Ops, r.Elapsed.Round(time.Millisecond), r.Reads, r.Writes)
	row("errors", "%d%s", r.Errors, firstErrorNote(r.FirstError))
	row("latency", "p50 %v  p90 %v  p99 %v  p99.9 %v  max %v",
		ms(r.P50), ms(r.P90), ms(r.P99), ms(r.P999), ms(r.Max))
	if r.CPUPer1000 >= 0 {
		row("client CPU", "%.3f s per 1000 requests (this process: load generator and client library)", r.CPUPer1000)
	}
	if r.ServerCPUPer1000 != nil {
		row("server CPU", "%.3f s per 1000 requests (all %d server processes, from /proc)", *r.ServerCPUPer1000, t.Local)
		each := make([]string, len(r.ServerCPUEach))
		for i, c := range r.ServerCPUEach {
			each[i] = fmt.Sprintf("%.3f", c)
		}
		row("server CPU each", "%s s per 1000 requests%s", strings.Join(each, ", "), witnessNote(t.Witnesses))
	}
	if len(r.ServerPeakRSS) > 0 {
		mib := make([]string, len(r.ServerPeakRSS))
		for i, b := range r.ServerPeakRSS {
			mib[i] = fmt.Sprintf("%.0f", float64(b)/(1<<20))
		}
		row("server memory", "peak RSS %s MiB (each server process, from /proc)", strings.Join(mib, ", "))
	}
	if len(r.ServerDiskBytes) > 0 {
		mib := make([]string, len(r.ServerDiskBytes))
		for i, b := range r.ServerDiskBytes {
			mib[i] = fmt.Sprintf("%.1f", float64(b)/(1<<20))
		}
		row("server disk", "%s MiB in each data directory at the end (log and checkpoints)", strings.Join(mib, ", "))
	}
	if r.ServerViewChanges != nil {
		row("view changes", "%v (each server, from its status), final view %d", r.ServerViewChanges, r.FinalView)
	}
	for _, ft := range r.Faults {
		row("fault", "%s", ft.describe())
	}
	return tw.Flush()
}

// witnessNote names the witnesses of a local cluster, if any.
func witnessNote(list string) string {
	if list == "" {
		return ""
	}
	return " (witnesses: server " + list + ")"
}

// describe names the target cluster.
func (t benchTarget) describe() string {
	if t.Local == 0 {
		return "cluster " + strings.Join(t.Cluster, ",")
	}
	mode := "diskless"
	if t.Durable {
		mode = "durable, --sync " + t.Sync
	}
	return fmt.Sprintf("local cluster of %d server processes (%s)", t.Local, mode)
}

func firstErrorNote(e string) string {
	if e == "" {
		return ""
	}
	return " (first: " + e + ")"
}

// ms rounds a latency for display.
func ms(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
