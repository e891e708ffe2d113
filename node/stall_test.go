package node

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
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
	s.begin("drain", 0)
	runtime.GC()
	for start := time.Now(); time.Since(start) < 2*slowIteration; {
	}
	s.end(log, 0)
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
	s.begin("tick", 0)
	s.end(log, 0)
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
	s.begin("drain", 0)
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
	s.end(log, 0)
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

// slowDisk is a driver.Storage whose writes take twice slowIteration.
type slowDisk struct{}

func (slowDisk) Persist(out *core.Output, status core.Status, done func()) error {
	time.Sleep(2 * slowIteration)
	done()
	return nil
}

// TestSlowIterationSaysWhatItPersistedAndExecuted: the line says how long
// the log's writes took (timedStorage) and how many ops the replica
// executed in the iteration.
func TestSlowIterationSaysWhatItPersistedAndExecuted(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var s stallWatch
	s.begin("drain", 100)
	if err := (timedStorage{slowDisk{}, &s}).Persist(&core.Output{}, core.StatusNormal, func() {}); err != nil {
		t.Fatal(err)
	}
	s.end(log, 164)
	line := buf.String()
	for _, want := range []string{"persisting=", "ops_executed=64"} {
		if !strings.Contains(line, want) {
			t.Fatalf("line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "persisting=0s") {
		t.Fatalf("line %q: the write's time not counted", line)
	}
}
