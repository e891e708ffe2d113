package main

import (
	"fmt"
	"time"
)

// row is one line of the table: a case, both figures, the ratio that the
// target is about, whether it was met, and the servers' CPU per operation
// in the runs behind it.
type row struct {
	Case   string  `json:"case"`
	Etcd   string  `json:"etcd"`
	VR     string  `json:"vr"`
	Ratio  float64 `json:"ratio"` // -1 where there is none
	Target string  `json:"target"`
	Result string  `json:"result"` // PASS, MISS or "" (information only)
	// CPU is the server CPU-seconds per 1,000 ops of the runs, "etcd / vr"
	// (all the members' processes together).
	CPU string `json:"server_cpu_s_per_1000_ops"`
}

// Targets (issue 10).
const (
	goalThroughput  = 5    // vr at least 5x etcd's throughput
	goalLatency     = 0.5  // vr's 1-client p50 at most half etcd's
	goalReplication = 0.6  // vr with 3 replicas at least 0.6x vr with 1
	goalManyClients = 0.8  // 1000 clients at least 0.8x vr's own 64-client figure
	goalCPU         = 0.02 // server CPU-seconds per 1,000 ops, 3 replicas, 64 clients
)

// rows builds the table from the results (of every run, or of the
// replication runs only).
func (b *bench) rows() []row {
	switch b.opts.only {
	case onlyReplication:
		return []row{b.replicationRow()}
	case onlySustained:
		return b.sustainedRows()
	}
	var rows []row
	for _, fsync := range []bool{false, true} {
		e, v := b.get(sysEtcd, 3, fsync, 64), b.get(sysVR, 3, fsync, 64)
		rows = append(rows, throughputRow("64 clients, fsync "+onOff(fsync)+": throughput", e, v))
	}
	rows = append(rows, throughputRow("64 clients, fsync off, each cluster in one process: throughput",
		b.getInProcess(sysEtcd, 64), b.getInProcess(sysVR, 64)))
	for _, fsync := range []bool{false, true} {
		e, v := b.get(sysEtcd, 3, fsync, 1), b.get(sysVR, 3, fsync, 1)
		rows = append(rows, latencyRow("1 client, fsync "+onOff(fsync)+": p50 latency", e, v))
	}
	rows = append(rows, latencyRow("1 client, fsync off, each cluster in one process: p50 latency",
		b.getInProcess(sysEtcd, 1), b.getInProcess(sysVR, 1)))
	rows = append(rows, b.replicationRow())
	v3 := b.get(sysVR, 3, false, 64)
	e, v := b.get(sysEtcd, 3, false, 1000), b.get(sysVR, 3, false, 1000)
	e64 := b.get(sysEtcd, 3, false, 64)
	rows = append(rows, judge(row{Case: "1000 clients, fsync off: throughput (p99), vs own 64-client figure",
		Etcd: fmt.Sprintf("%s (p99 %s) = %.2fx", opsS(e), dur(e.P99), e.Throughput/e64.Throughput),
		VR:   fmt.Sprintf("%s (p99 %s)", opsS(v), dur(v.P99)), Target: fmt.Sprintf(">= %.1fx vr 64-client", goalManyClients),
		CPU: cpuPair(e, v)}, v.Throughput/v3.Throughput, goalManyClients, true))
	e = b.get(sysEtcd, 3, false, 64)
	rows = append(rows, judge(row{Case: "64 clients, fsync off: server CPU s per 1000 ops (3 replicas)",
		Etcd: cpuS(e.ServerCPUPer1000), VR: cpuS(v3.ServerCPUPer1000), Target: fmt.Sprintf("vr <= %.3f s", goalCPU),
		CPU: cpuPair(e, v3)}, v3.ServerCPUPer1000, goalCPU, false))
	return append(rows, b.infoRows()...)
}

// replicationRow judges vr's throughput with 3 replicas against 1.
func (b *bench) replicationRow() row {
	t3, t1 := b.getTmpfs(3), b.getTmpfs(1)
	return judge(row{Case: "replication: vr 3 / 1 replicas (64 clients, data on tmpfs)",
		Etcd: "-", VR: opsS(t3) + " / " + opsS(t1), Target: fmt.Sprintf(">= %.1f", goalReplication),
		CPU: "- / " + cpuS(t3.ServerCPUPer1000) + " vs " + cpuS(t1.ServerCPUPer1000)},
		t3.Throughput/t1.Throughput, goalReplication, true)
}

// throughputRow judges vr's throughput against etcd's.
func throughputRow(name string, e, v *runResult) row {
	return judge(row{Case: name, Etcd: opsS(e), VR: opsS(v), Target: fmt.Sprintf(">= %gx etcd", float64(goalThroughput)),
		CPU: cpuPair(e, v)}, v.Throughput/e.Throughput, goalThroughput, true)
}

// latencyRow judges vr's median latency against etcd's.
func latencyRow(name string, e, v *runResult) row {
	return judge(row{Case: name, Etcd: dur(e.P50), VR: dur(v.P50), Target: fmt.Sprintf("<= %gx etcd", goalLatency),
		CPU: cpuPair(e, v)}, float64(v.P50)/float64(e.P50), goalLatency, false)
}

// infoRows are figures without a target, for context.
func (b *bench) infoRows() []row {
	e, v := b.get(sysEtcd, 3, false, 64), b.get(sysVR, 3, false, 64)
	return []row{
		{Case: "64 clients, fsync off: p50 / p99 latency", Etcd: dur(e.P50) + " / " + dur(e.P99),
			VR: dur(v.P50) + " / " + dur(v.P99), Ratio: float64(v.P99) / float64(e.P99), Target: "(info: p99 ratio)",
			CPU: cpuPair(e, v)},
		{Case: "64 clients, fsync off: client CPU s per 1000 ops", Etcd: cpuS(e.CPUPer1000),
			VR: cpuS(v.CPUPer1000), Ratio: v.CPUPer1000 / e.CPUPer1000, Target: "(info)", CPU: cpuPair(e, v)},
	}
}

// cpuPair is the server CPU per 1,000 ops of an etcd and a vr run.
func cpuPair(e, v *runResult) string {
	return cpuS(e.ServerCPUPer1000) + " / " + cpuS(v.ServerCPUPer1000)
}

// judge sets r's ratio and verdict: ratio >= goal if higher is better,
// ratio <= goal otherwise.
func judge(r row, ratio, goal float64, higherBetter bool) row {
	r.Ratio, r.Result = ratio, "MISS"
	if higherBetter && ratio >= goal || !higherBetter && ratio <= goal {
		r.Result = "PASS"
	}
	return r
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func opsS(r *runResult) string { return fmt.Sprintf("%.0f ops/s", r.Throughput) }

func cpuS(s float64) string {
	if s < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f s", s)
}

// dur shows a latency with three significant digits or so.
func dur(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
