package node

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/message"
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

// TestSlowIterationNamesItsSlowestInput: a drain's inputs are timed one by
// one: the line names the input that took longest to step and how long,
// and when the inputs were all stepped (the rest is the Flush).
func TestSlowIterationNamesItsSlowestInput(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var s stallWatch
	s.begin("drain")
	inputs := []message.Message{&message.Commit{}, &message.Prepare{}, &message.Commit{}}
	next := s.timed(func() (message.Message, bool) {
		if len(inputs) == 0 {
			return nil, false
		}
		m := inputs[0]
		inputs = inputs[1:]
		return m, true
	})
	for {
		m, ok := next()
		if !ok {
			break
		}
		if _, slow := m.(*message.Prepare); slow { // its step is slow
			time.Sleep(2 * slowIteration)
		}
	}
	s.end(log)
	line := buf.String()
	for _, want := range []string{"slowest_input=*message.Prepare", "inputs stepped"} {
		if !strings.Contains(line, want) {
			t.Fatalf("line %q lacks %q", line, want)
		}
	}
	_, after, _ := strings.Cut(line, "slowest_input_took=")
	took, err := time.ParseDuration(strings.Fields(after + " ")[0])
	if err != nil || took < 2*slowIteration {
		t.Fatalf("line %q: the slowest input took %v (%v), want at least %v", line, took, err, 2*slowIteration)
	}
}
