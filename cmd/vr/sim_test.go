package main

import (
	"bytes"
	"strings"
	"testing"
)

// execute runs the vr command with args and returns its output.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestSimSeeds(t *testing.T) {
	out, err := execute(t, "sim", "--seeds", "6", "--start", "3", "--workers", "2")
	if err != nil {
		t.Fatalf("sim --seeds failed: %v\n%s", err, out)
	}
	for _, want := range []string{"seeds 3..8", "ops committed", "view changes", "recoveries", "state transfers", "messages dropped", "simulated time", "failures"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestSimFailureExitsWithReplay(t *testing.T) {
	out, err := execute(t, "sim", "--seeds", "8", "--bugs", "commit-one-short", "--replicas", "3")
	if err == nil {
		t.Fatalf("a planted bug went unreported:\n%s", out)
	}
	if !strings.Contains(out, "go run ./cmd/vr sim --seed ") || !strings.Contains(out, "--bugs commit-one-short") {
		t.Fatalf("no replay command in:\n%s", out)
	}
}

func TestSimReplayOneSeed(t *testing.T) {
	out, err := execute(t, "sim", "--seed", "5", "--replicas", "3", "--profile", "none")
	if err != nil {
		t.Fatalf("replay failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "start: 3 replicas") || !strings.Contains(out, "trace ") {
		t.Fatalf("replay output lacks the run log or the trace:\n%s", out)
	}
}

func TestSimBadFlags(t *testing.T) {
	if _, err := execute(t, "sim", "--seeds", "1", "--bugs", "nonsense"); err == nil {
		t.Fatal("unknown bug accepted")
	}
	if _, err := execute(t, "sim", "--seed", "1", "--profile", "nonsense"); err == nil {
		t.Fatal("unknown profile accepted")
	}
	// A --seeds run names the bad flag at once instead of failing every seed.
	for _, c := range [][]string{{"--profile", "nonsense"}, {"--engine", "nonsense"}} {
		out, err := execute(t, append([]string{"sim", "--seeds", "2"}, c...)...)
		if err == nil || !strings.Contains(err.Error(), `"nonsense"`) || strings.Contains(out, "failures") {
			t.Errorf("sim --seeds 2 %s: err %v, output:\n%s", strings.Join(c, " "), err, out)
		}
	}
}
