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

// TestPrintStatusUnknownKeys: a replica whose state machine keeps no key
// count or digest (the pebble engine) shows "?" and its size on disk, not
// zeros that read as an empty state.
func TestPrintStatusUnknownKeys(t *testing.T) {
	rows := []statusRow{
		{status: node.Status{Status: "normal", IsPrimary: true, Keys: 7, Digest: 0xabc}},
		{status: node.Status{Status: "normal", KeysUnknown: true, StateDiskBytes: 3 << 20}},
	}
	var b strings.Builder
	printStatus(&b, []string{"a:1", "b:2"}, rows)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("table:\n%s", b.String())
	}
	if !strings.Contains(lines[1], " 7 ") || !strings.Contains(lines[1], "0000000000000abc") {
		t.Errorf("row of a counting state machine %q lacks its keys and digest", lines[1])
	}
	if !strings.Contains(lines[2], "? (3.0 MiB on disk)") || strings.Contains(lines[2], "0000000000000000") {
		t.Errorf("row of the pebble engine %q: want \"? (3.0 MiB on disk)\" and no zero digest", lines[2])
	}
}
