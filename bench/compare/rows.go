package main

import (
	"fmt"
	"time"
)

// row is one line of the table: a case, both figures, the ratio that the
// target is about, and whether it was met.
type row struct {
	Case   string  `json:"case"`
	Etcd   string  `json:"etcd"`
	VR     string  `json:"vr"`
	Ratio  float64 `json:"ratio"` // -1 where there is none
	Target string  `json:"target"`
	Result string  `json:"result"` // PASS, MISS or "" (information only)
}

// rows builds the table from the results.
func (b *bench) rows() []row {
	var rows []row
	for _, fsync := range []bool{false, true} {
		e, v := b.get(sysEtcd, 3, fsync, 64), b.get(sysVR, 3, fsync, 64)
		rows = append(rows, judge(row{Case: "64 clients, fsync " + onOff(fsync) + ": throughput",
			Etcd: opsS(e), VR: opsS(v), Target: ">= 5x etcd"}, v.Throughput/e.Throughput, 5, true))
	}
	for _, fsync := range []bool{false, true} {
		e, v := b.get(sysEtcd, 3, fsync, 1), b.get(sysVR, 3, fsync, 1)
		rows = append(rows, judge(row{Case: "1 client, fsync " + onOff(fsync) + ": p50 latency",
			Etcd: dur(e.P50), VR: dur(v.P50), Target: "<= 0.5x etcd"}, float64(v.P50)/float64(e.P50), 0.5, false))
	}
	t3, t1 := b.getTmpfs(3), b.getTmpfs(1)
	rows = append(rows, judge(row{Case: "replication: vr 3 / 1 replicas (64 clients, data on tmpfs)",
		Etcd: "-", VR: opsS(t3) + " / " + opsS(t1), Target: ">= 0.5"}, t3.Throughput/t1.Throughput, 0.5, true))
	v3 := b.get(sysVR, 3, false, 64)
	e, v := b.get(sysEtcd, 3, false, 1000), b.get(sysVR, 3, false, 1000)
	e64 := b.get(sysEtcd, 3, false, 64)
	rows = append(rows, judge(row{Case: "1000 clients, fsync off: throughput (p99), vs own 64-client figure",
		Etcd: fmt.Sprintf("%s (p99 %s) = %.2fx", opsS(e), dur(e.P99), e.Throughput/e64.Throughput),
		VR:   fmt.Sprintf("%s (p99 %s)", opsS(v), dur(v.P99)), Target: ">= 0.8x vr 64-client"},
		v.Throughput/v3.Throughput, 0.8, true))
	return append(rows, b.infoRows()...)
}

// infoRows are figures without a target, for context.
func (b *bench) infoRows() []row {
	e, v := b.get(sysEtcd, 3, false, 64), b.get(sysVR, 3, false, 64)
	return []row{
		{Case: "64 clients, fsync off: p50 / p99 latency", Etcd: dur(e.P50) + " / " + dur(e.P99),
			VR: dur(v.P50) + " / " + dur(v.P99), Ratio: float64(v.P99) / float64(e.P99), Target: "(info: p99 ratio)"},
		{Case: "64 clients, fsync off: server CPU s per 1000 ops", Etcd: cpuS(e.ServerCPUPer1000),
			VR: cpuS(v.ServerCPUPer1000), Ratio: v.ServerCPUPer1000 / e.ServerCPUPer1000, Target: "(info)"},
		{Case: "64 clients, fsync off: client CPU s per 1000 ops", Etcd: cpuS(e.CPUPer1000),
			VR: cpuS(v.CPUPer1000), Ratio: v.CPUPer1000 / e.CPUPer1000, Target: "(info)"},
	}
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
