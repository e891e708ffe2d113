package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// fakeResults gives every run of the plan a result, vr doing better by
// factor.
func fakeResults(factor float64) *bench {
	b := &bench{results: map[runSpec]*runResult{}}
	for _, s := range plan() {
		tput, p50 := 1000.0, 2*time.Millisecond
		if s.System == sysVR {
			tput, p50 = tput*factor, time.Duration(float64(p50)/factor)
		}
		b.results[s] = &runResult{runSpec: s, Result: loadgen.Result{Throughput: tput, P50: p50, P99: 2 * p50, CPUPer1000: 0.1},
			ServerCPUPer1000: 0.2}
	}
	return b
}

func TestRowsJudgeTargets(t *testing.T) {
	rows := fakeResults(10).rows()
	if len(rows) != 9 {
		t.Fatalf("%d rows, want 6 judged + 3 informative", len(rows))
	}
	for _, r := range rows[:4] {
		if r.Result != "PASS" {
			t.Errorf("%s: %s at ratio %.2f, want PASS", r.Case, r.Result, r.Ratio)
		}
	}
	for _, r := range fakeResults(1.5).rows()[:4] {
		if r.Result != "MISS" {
			t.Errorf("%s: %s at ratio %.2f, want MISS", r.Case, r.Result, r.Ratio)
		}
	}
	if rows[4].Ratio != 1 || rows[5].Ratio != 1 || rows[6].Result != "" {
		t.Errorf("replication / 1000-client ratios %v %v, info row %q", rows[4].Ratio, rows[5].Ratio, rows[6].Result)
	}
}

func TestPlanRunsEveryCaseOnBothSystems(t *testing.T) {
	seen := map[string]int{}
	for _, s := range plan() {
		seen[s.System]++
	}
	if seen[sysEtcd] != 5 || seen[sysVR] != 7 {
		t.Fatalf("plan has %v runs per system, want 5 etcd and 7 vr", seen)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"--duration", "5s", "--json"})
	if err != nil || o.duration != 5*time.Second || !o.json || o.warmup != time.Second {
		t.Fatalf("got %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"--duration", "10ms"}, {"--keys", "0"}, {"--read-ratio", "2"}, {"--nope"}} {
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
	if !strings.Contains(sb.String(), "etcd 3.7.3") || strings.Count(sb.String(), "PASS") != 6 {
		t.Fatalf("unexpected table:\n%s", sb.String())
	}
}
