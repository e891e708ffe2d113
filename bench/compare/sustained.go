package main

import (
	"fmt"
	"time"
)

// The sustained comparison (--only sustained) puts both systems under
// the same long load, fsync on and off, and judges vr by issue 10's
// sustained-run targets second by second: every measured second's p99
// within slowSecond, and the last minute's throughput at least
// goalLastMinute of the first. etcd's figures under the identical load
// say what the machine and its disk allow a mature system.

// second is one measured second of a run.
type second struct {
	Rate float64       `json:"ops_per_s"`
	P99  time.Duration `json:"p99_ns"`
}

// Sustained-run targets (issue 10).
const (
	slowSecond     = 20 * time.Millisecond // a second whose p99 is over this is slow
	goalLastMinute = 0.8                   // last minute's throughput / first minute's
)

// sustainedPlan is etcd then vr, three processes each, 64 clients, with
// fsync on (vr durable, --sync sync) and off (vr diskless).
func sustainedPlan() []runSpec {
	var specs []runSpec
	for _, fsync := range []bool{true, false} {
		specs = append(specs, runSpec{System: sysEtcd, Replicas: 3, Fsync: fsync, Clients: 64},
			runSpec{System: sysVR, Replicas: 3, Fsync: fsync, Clients: 64})
	}
	return specs
}

// sustainedRows judges each fsync setting's pair of runs: slow seconds,
// the last minute against the first, and the overall figures.
func (b *bench) sustainedRows() []row {
	var rows []row
	for _, fsync := range []bool{true, false} {
		e, v := b.get(sysEtcd, 3, fsync, 64), b.get(sysVR, 3, fsync, 64)
		name := "sustained, 64 clients, fsync " + onOff(fsync)
		es, vs := slowSeconds(e.Seconds), slowSeconds(v.Seconds)
		rows = append(rows, judge(row{Case: name + ": seconds with p99 over " + slowSecond.String(),
			Etcd: fmt.Sprintf("%d of %d", es, len(e.Seconds)), VR: fmt.Sprintf("%d of %d", vs, len(v.Seconds)),
			Target: "vr 0", CPU: cpuPair(e, v)}, float64(vs), 0, false))
		ef, vf := lastOverFirstMinute(e.Seconds), lastOverFirstMinute(v.Seconds)
		rows = append(rows, judge(row{Case: name + ": last minute's throughput / first minute's",
			Etcd: ratioS(ef), VR: ratioS(vf), Target: fmt.Sprintf("vr >= %.1f", goalLastMinute), CPU: cpuPair(e, v)},
			vf, goalLastMinute, true))
		rows = append(rows, row{Case: name + ": throughput, p50 / p99", Etcd: opsS(e) + ", " + dur(e.P50) + " / " + dur(e.P99),
			VR: opsS(v) + ", " + dur(v.P50) + " / " + dur(v.P99), Ratio: v.Throughput / e.Throughput,
			Target: "(info: throughput ratio)", CPU: cpuPair(e, v)})
	}
	return rows
}

// slowSeconds counts the seconds whose p99 is over slowSecond.
func slowSeconds(s []second) int {
	n := 0
	for _, x := range s {
		if x.P99 > slowSecond {
			n++
		}
	}
	return n
}

// lastOverFirstMinute is the mean rate of the last 60 seconds over that
// of the first 60 (of the first and last halves if the run is shorter
// than two minutes); -1 without samples.
func lastOverFirstMinute(s []second) float64 {
	w := min(60, len(s)/2)
	if w == 0 {
		return -1
	}
	first, last := 0.0, 0.0
	for i := range w {
		first += s[i].Rate
		last += s[len(s)-w+i].Rate
	}
	if first == 0 {
		return -1
	}
	return last / first
}

func ratioS(r float64) string {
	if r < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", r)
}
