package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/vr-go/vr/node"
)

func TestPrintStatusShowsCheckpoints(t *testing.T) {
	rows := []statusRow{
		{status: node.Status{Status: "normal", IsPrimary: true, OpNumber: 130, CommitNumber: 130, Executed: 130, LogBase: 100, CheckpointOp: 120, Keys: 7}},
		{status: node.Status{Status: "normal", OpNumber: 130, CommitNumber: 130, Executed: 0, LogBase: 100}},
		{err: errors.New("refused")},
	}
	var b strings.Builder
	printStatus(&b, []string{"a:1", "b:2", "c:3"}, rows)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "CHECKPOINT") {
		t.Fatalf("table:\n%s", b.String())
	}
	for i, want := range []string{" 120 ", "fetching (log after 100; no state: counts against f)", "down"} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("row %d %q lacks %q", i, lines[i+1], want)
		}
	}
}
