package node

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSlowIterationSaysWhatTheProcessUsed: a slow iteration's line names
// what it handled and what the process used meanwhile: its CPU time (here
// a busy loop: most of the iteration), the collector's share and the
// collections (here one, forced).
func TestSlowIterationSaysWhatTheProcessUsed(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var s stallWatch
	s.begin("drain")
	runtime.GC()
	for start := time.Now(); time.Since(start) < 2*slowIteration; {
	}
	s.end(log)
	line := buf.String()
	for _, want := range []string{"slow loop iteration", "handling=drain", "process_cpu=", "gc_cpu=", "gc_cycles="} {
		if !strings.Contains(line, want) {
			t.Fatalf("line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "gc_cycles=0") || strings.Contains(line, "process_cpu=0s") {
		t.Fatalf("line %q: want the forced collection and the busy loop's CPU counted", line)
	}
	buf.Reset()
	s.begin("tick")
	s.end(log)
	if buf.Len() != 0 {
		t.Fatalf("a fast iteration logged %q", buf.String())
	}
}
