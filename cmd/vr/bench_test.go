package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/internal/testcluster"
)

// runBenchArgs runs `vr bench` with args and returns stdout and the error.
func runBenchArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newBenchCmd()
	var out, errw bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errw)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

func TestBenchRejectsBadFlags(t *testing.T) {
	t.Setenv("VR_CLUSTER", "")
	const c = "--cluster=127.0.0.1:1"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "nothing to benchmark"},
		{[]string{c, "--clients", "0"}, "--clients must be at least 1"},
		{[]string{c, "--ops", "10", "--duration", "1s"}, "not both"},
		{[]string{c, "--distribution", "pareto"}, "--distribution"},
		{[]string{c, "--read-ratio", "2"}, "--read-ratio"},
		{[]string{c, "--value-size", "-1"}, "--value-size"},
		{[]string{c, "--key-size", "2"}, "do not fit in 2-byte keys"},
		{[]string{c, "--local", "3"}, "not both"},
		{[]string{"--local", "2"}, "2f+1"},
		{[]string{c, "--durable"}, "only apply to a cluster started with --local"},
		{[]string{"--local", "3", "--sync", "never"}, "bad --sync"},
		{[]string{"--cluster", "127.0.0.1:1,127.0.0.1:2"}, "2f+1"},
		{[]string{c, "--sessions", "-1"}, "--sessions"},
		{[]string{c, "--duration", "10m", "--timeout", "1m"}, "shorter than --warmup plus --duration"},
		{[]string{c, "--keep-logs"}, "only apply to a cluster started with --local"},
		{[]string{c, "--kill-backup-at", "5s"}, "only apply to a cluster started with --local"},
		{[]string{"--local", "1", "--kill-primary-at", "5s"}, "need --local 3"},
		{[]string{"--local", "3", "--duration", "10s", "--kill-primary-at", "10s"}, "within --duration"},
		{[]string{"--local", "3", "--ops", "100", "--kill-backup-at", "1s"}, "need a --duration"},
		{[]string{"--local", "3", "--kill-backup-at", "1s", "--restart-after", "0s"}, "--restart-after must be positive"},
	}
	for _, tc := range cases {
		_, err := runBenchArgs(t, tc.args...)
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error mentioning %q", tc.args, err, tc.want)
		} else if !errors.As(err, &ue) {
			t.Errorf("%v: %v is not a usage error", tc.args, err)
		}
	}
}

func TestBenchAgainstRunningCluster(t *testing.T) {
	c, err := testcluster.Start(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	t.Setenv("VR_CLUSTER", strings.Join(c.Addrs, ","))
	out, err := runBenchArgs(t, "--clients", "4", "--ops", "200", "--warmup", "0", "--read-ratio", "0.5", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bad JSON %q: %v", out, err)
	}
	if rep.Ops+rep.Errors != 200 || rep.Ops == 0 || rep.Target.Sessions != 4 || len(rep.Target.Cluster) != 3 {
		t.Fatalf("unexpected report: %+v", rep)
	}
	out, err = runBenchArgs(t, "--clients", "2", "--ops", "50", "--warmup", "0")
	if err != nil || !strings.Contains(out, "throughput") || !strings.Contains(out, "p99.9") {
		t.Fatalf("text report %q, %v", out, err)
	}
}

// TestBenchTimeoutOutlastsDuration checks that the default whole-run
// deadline grows with --duration: the 10-minute sustained run
// was cut at 5 minutes ("context deadline exceeded").
func TestBenchTimeoutOutlastsDuration(t *testing.T) {
	t.Setenv("VR_CLUSTER", "")
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--local", "3", "--duration", "10m", "--warmup", "0"}, 15 * time.Minute},
		{[]string{"--local", "3", "--duration", "10s", "--warmup", "2s"}, 5*time.Minute + 12*time.Second},
		{[]string{"--local", "3", "--duration", "10m", "--timeout", "20m"}, 20 * time.Minute},
	} {
		var f benchFlags
		cmd := &cobra.Command{}
		f.register(cmd)
		if err := cmd.ParseFlags(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := f.resolve(cmd); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if f.timeout != tc.want {
			t.Errorf("%v: timeout %v, want %v", tc.args, f.timeout, tc.want)
		}
	}
}
