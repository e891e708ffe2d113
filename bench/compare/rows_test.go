package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// fakeResults gives every run of the plan a result, vr doing better by
// factor.
func fakeResults(factor float64) *bench {
	b := &bench{results: map[runSpec]*runResult{}}
	for _, s := range plan(onlyAll) {
		tput, p50, cpu := 1000.0, 2*time.Millisecond, 0.2
		if s.System == sysVR {
			tput, p50, cpu = tput*factor, time.Duration(float64(p50)/factor), cpu/factor
		}
		b.results[s] = &runResult{runSpec: s, Result: loadgen.Result{Throughput: tput, P50: p50, P99: 2 * p50, CPUPer1000: 0.1},
			ServerCPUPer1000: cpu}
	}
	return b
}

func TestRowsJudgeTargets(t *testing.T) {
	rows := fakeResults(10).rows()
	if len(rows) != 11 {
		t.Fatalf("%d rows, want 9 judged + 2 informative", len(rows))
	}
	// Throughput and latency against etcd (three rows each), then the
	// CPU per op (vr's figure at 10x less than etcd's 0.2: 0.02, on the
	// target).
	for _, r := range append(rows[:6:6], rows[8]) {
		if r.Result != "PASS" {
			t.Errorf("%s: %s at ratio %.3f, want PASS", r.Case, r.Result, r.Ratio)
		}
		if r.CPU == "" {
			t.Errorf("%s: no CPU per op", r.Case)
		}
	}
	worse := fakeResults(1.5).rows()
	for _, r := range append(worse[:6:6], worse[8]) {
		if r.Result != "MISS" {
			t.Errorf("%s: %s at ratio %.3f, want MISS", r.Case, r.Result, r.Ratio)
		}
	}
	// Replication and 1000 clients compare vr with itself: ratio 1.
	if rows[6].Ratio != 1 || rows[7].Ratio != 1 || rows[9].Result != "" {
		t.Errorf("replication / 1000-client ratios %v %v, info row %q", rows[6].Ratio, rows[7].Ratio, rows[9].Result)
	}
}

func TestPlanRunsEveryCaseOnBothSystems(t *testing.T) {
	seen := map[string]int{}
	for _, s := range plan(onlyAll) {
		seen[s.System]++
	}
	if seen[sysEtcd] != 7 || seen[sysVR] != 9 {
		t.Fatalf("plan has %v runs per system, want 7 etcd and 9 vr", seen)
	}
}

func TestOnlyReplication(t *testing.T) {
	specs := plan(onlyReplication)
	if len(specs) != 2 || !specs[0].Tmpfs || !specs[1].Tmpfs || specs[0].Replicas != 3 || specs[1].Replicas != 1 {
		t.Fatalf("plan(replication) = %v, want the two tmpfs runs, 3 replicas then 1", specs)
	}
	b := &bench{opts: options{only: onlyReplication}, results: map[runSpec]*runResult{}}
	for i, s := range specs {
		b.results[s] = &runResult{runSpec: s, Result: loadgen.Result{Throughput: float64(60 + 40*i)}}
	}
	rows := b.rows()
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Case, "replication") || rows[0].Ratio != 0.6 || rows[0].Result != "PASS" {
		t.Fatalf("rows = %+v, want the replication row alone at ratio 0.6", rows)
	}
	if _, err := parseOptions([]string{"--only", "etcd"}); err == nil {
		t.Error("--only etcd accepted")
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"--duration", "5s", "--json"})
	if err != nil || o.duration != 5*time.Second || !o.json || o.warmup != time.Second {
		t.Fatalf("got %+v, %v", o, err)
	}
	if o.serverProcs != procsShare {
		t.Errorf("--server-gomaxprocs defaults to %q, want %q", o.serverProcs, procsShare)
	}
	// A sustained run may last 30 minutes; the others at most 5.
	if o, err := parseOptions([]string{"--only", "sustained", "--duration", "10m", "--value-size", "1024"}); err != nil || o.valueSize != 1024 {
		t.Errorf("a 10-minute sustained run: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"--duration", "10ms"}, {"--keys", "0"}, {"--read-ratio", "2"}, {"--nope"}, {"--server-gomaxprocs", "4"},
		{"--duration", "10m"}, {"--only", "sustained", "--duration", "31m"}, {"--value-size", "-1"}} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestEtcdConns(t *testing.T) {
	if etcdConns(1) != 1 || etcdConns(64) != 4 || etcdConns(1000) != 62 || etcdConns(100000) != 64 {
		t.Fatal("unexpected connection counts")
	}
}

func TestReportPrintsOneTable(t *testing.T) {
	b := fakeResults(10)
	rep := &report{Rows: b.rows(), Duration: "1s", Warmup: "0s"}
	var sb strings.Builder
	if err := rep.print(&sb, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "etcd 3.7.3") || strings.Count(sb.String(), "PASS") != 9 ||
		!strings.Contains(sb.String(), "machine:") {
		t.Fatalf("unexpected table:\n%s", sb.String())
	}
}

// TestServerGOMAXPROCS: with share, each server process gets its share of
// the CPUs, the same for both systems; with inherit, nothing is set.
func TestServerGOMAXPROCS(t *testing.T) {
	cpus := runtime.NumCPU()
	share := &bench{opts: options{serverProcs: procsShare}}
	for _, c := range []struct {
		spec runSpec
		want int
	}{
		{runSpec{System: sysVR, Replicas: 3}, max(1, cpus/3)},
		{runSpec{System: sysEtcd, Replicas: 3}, max(1, cpus/3)},
		{runSpec{System: sysVR, Replicas: 1, Tmpfs: true}, cpus},
		{runSpec{System: sysVR, Replicas: 3, InProcess: true}, cpus},
		{runSpec{System: sysEtcd, Replicas: 3, InProcess: true}, cpus},
	} {
		if got := share.gomaxprocs(c.spec); got != c.want {
			t.Errorf("share, %v: GOMAXPROCS %d, want %d", c.spec, got, c.want)
		}
	}
	inherit := &bench{opts: options{serverProcs: procsInherit}}
	if got := inherit.gomaxprocs(runSpec{System: sysVR, Replicas: 3}); got != 0 {
		t.Errorf("inherit: GOMAXPROCS %d, want 0", got)
	}
}

// TestStartProcSetsGOMAXPROCS runs a child that prints its environment.
func TestStartProcSetsGOMAXPROCS(t *testing.T) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		t.Skip("GOMAXPROCS is set here, and wins")
	}
	for _, n := range []int{0, 1} {
		logPath := filepath.Join(t.TempDir(), "env.log")
		p, err := startProc("/usr/bin/env", nil, logPath, n)
		if err != nil {
			t.Fatal(err)
		}
		<-p.done
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), "GOMAXPROCS=1\n"); got != (n == 1) {
			t.Errorf("gomaxprocs %d: child environment has GOMAXPROCS=1: %v", n, got)
		}
	}
}

// fakeSustained gives the sustained plan's runs n seconds each at p99
// 5 ms and a steady rate, with vr's seconds changed by change.
func fakeSustained(n int, change func([]second)) *bench {
	b := &bench{opts: options{only: onlySustained}, results: map[runSpec]*runResult{}}
	for _, s := range plan(onlySustained) {
		secs := make([]second, n)
		for i := range secs {
			secs[i] = second{Rate: 1000, P99: 5 * time.Millisecond}
		}
		if s.System == sysVR {
			change(secs)
		}
		b.results[s] = &runResult{runSpec: s, Result: loadgen.Result{Throughput: 1000}, Seconds: secs}
	}
	return b
}

func TestSustainedRowsJudgeEverySecond(t *testing.T) {
	good := fakeSustained(150, func([]second) {}).rows()
	if len(good) != 6 {
		t.Fatalf("%d rows, want 3 per fsync setting", len(good))
	}
	for _, i := range []int{0, 1, 3, 4} {
		if good[i].Result != "PASS" {
			t.Errorf("steady run: %s: %s (%s)", good[i].Case, good[i].Result, good[i].VR)
		}
	}
	// One second over 20 ms, and a last minute at 3/4 of the first.
	bad := fakeSustained(150, func(s []second) {
		s[70].P99 = 21 * time.Millisecond
		for i := 90; i < 150; i++ {
			s[i].Rate = 750
		}
	}).rows()
	if bad[0].Result != "MISS" || bad[0].VR != "1 of 150" || bad[0].Etcd != "0 of 150" {
		t.Errorf("one slow second: %+v", bad[0])
	}
	if bad[1].Result != "MISS" || bad[1].VR != "0.75" {
		t.Errorf("last minute at 0.75: %+v", bad[1])
	}
	if got := lastOverFirstMinute(nil); got != -1 {
		t.Errorf("no seconds: %v, want -1", got)
	}
}
