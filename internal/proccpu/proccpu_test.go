package proccpu

import (
	"testing"
	"time"
)

// TestSelfCountsWork: a busy loop of 50 ms adds CPU time.
func TestSelfCountsWork(t *testing.T) {
	before := Self()
	if before < 0 {
		t.Skip("no getrusage here")
	}
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
	}
	if used := Self() - before; used < 10*time.Millisecond {
		t.Fatalf("a 50 ms busy loop used %v of CPU", used)
	}
}
