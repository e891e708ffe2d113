package node

import (
	"fmt"
	"log/slog"
	rtmetrics "runtime/metrics"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/internal/proccpu"
	"github.com/vr-go/vr/message"
)

// slowIteration is the loop iteration that the node reports as a stall:
// a fifth of the default view-change timeout. A backup whose loop stalls
// for a view-change timeout suspects its primary; a primary whose loop
// stalls that long sends no heartbeat.
const slowIteration = 100 * time.Millisecond

// stallWatch times the node loop's iterations and logs the slow ones, so
// that a view change nobody injected can be matched with what the replica
// was doing (an fsync, a checkpoint, a GC pause, the machine's load).
type stallWatch struct {
	// tracer writes the trace of a slow iteration (nil: none).
	tracer *stallTracer
	what   string
	start  time.Time
	steps  []stallStep // named parts of the iteration that ended, in order
	// persisting is how long the iteration spent in the storage's
	// Persist (writing and, in sync mode, fsyncing the log): its part of
	// a drain's Flush (timedStorage).
	persisting time.Duration
	// executedAt is the op the replica had executed when the iteration
	// began: a slow one's line says how many it executed.
	executedAt uint64
	// probe is what the process had used at probeAt, at most probeEvery
	// before the iteration began: a slow iteration's line says how much
	// of its time the process spent on a CPU, and how much of that the
	// collector took (a loop that waited for a core, or for the
	// collector, or worked).
	probe   stallProbe
	probeAt time.Time
	// The inputs of a drain (timed): the one that took longest to step,
	// how long, and the input being stepped and when it began. Only a
	// slow iteration's line formats the slowest one's type.
	slowest     message.Message
	slowestTook time.Duration
	input       message.Message
	inputAt     time.Time
}

// stallStep is a named part of an iteration and how long into the
// iteration it ended.
type stallStep struct {
	name string
	at   time.Duration
}

// probeEvery bounds how often begin reads the process's CPU time: a
// slow iteration is at least slowIteration long, so a probe up to
// probeEvery before it measures it closely enough, at a cost of a few
// reads a second rather than one per iteration.
const probeEvery = 10 * time.Millisecond

// stallProbe is the process's use of resources at one moment.
type stallProbe struct {
	cpu      time.Duration // user+system, the whole process (-1: unknown)
	gcCPU    float64       // seconds the collector took, the runtime's estimate
	gcCycles uint64
}

var stallMetrics = []string{"/cpu/classes/gc/total:cpu-seconds", "/gc/cycles/total:gc-cycles"}

func readProbe() stallProbe {
	samples := make([]rtmetrics.Sample, len(stallMetrics))
	for i, name := range stallMetrics {
		samples[i].Name = name
	}
	rtmetrics.Read(samples)
	p := stallProbe{cpu: proccpu.Self()}
	if samples[0].Value.Kind() == rtmetrics.KindFloat64 {
		p.gcCPU = samples[0].Value.Float64()
	}
	if samples[1].Value.Kind() == rtmetrics.KindUint64 {
		p.gcCycles = samples[1].Value.Uint64()
	}
	return p
}

// begin starts timing an iteration that handles what, the replica having
// executed up to op executed.
func (s *stallWatch) begin(what string, executed uint64) {
	s.executedAt = executed
	s.what, s.start, s.steps, s.persisting = what, time.Now(), s.steps[:0], 0
	s.slowest, s.slowestTook, s.input = nil, 0, nil
	if s.start.Sub(s.probeAt) >= probeEvery {
		s.probe, s.probeAt = readProbe(), s.start
	}
}

// timed returns next, timing each input it yields until the next call:
// the driver steps an input between two calls, so the time between them
// is that input's step. The drain's Flush comes after the last call (the
// "inputs stepped" part of a slow iteration's line).
func (s *stallWatch) timed(next func() (message.Message, bool)) func() (message.Message, bool) {
	return func() (message.Message, bool) {
		now := time.Now()
		if s.input != nil {
			if d := now.Sub(s.inputAt); d > s.slowestTook {
				s.slowest, s.slowestTook = s.input, d
			}
		}
		m, ok := next()
		s.input, s.inputAt = m, now
		if !ok {
			s.input = nil
			s.mark("inputs stepped")
		}
		return m, ok
	}
}

// mark notes that the part of the iteration called step ended.
func (s *stallWatch) mark(step string) {
	s.steps = append(s.steps, stallStep{step, time.Since(s.start)})
}

// end logs the iteration if it was slow; executed is the op the replica
// executed up to by then.
func (s *stallWatch) end(log *slog.Logger, executed uint64) {
	if s.what == "" {
		return
	}
	if d := time.Since(s.start); d >= slowIteration {
		attrs := []any{"handling", s.what, "took", d.Round(time.Millisecond)}
		for _, st := range s.steps {
			attrs = append(attrs, st.name, st.at.Round(time.Millisecond))
		}
		if executed > s.executedAt {
			attrs = append(attrs, "ops_executed", executed-s.executedAt)
		}
		if s.persisting > 0 {
			attrs = append(attrs, "persisting", s.persisting.Round(time.Millisecond))
		}
		if s.slowest != nil {
			attrs = append(attrs, "slowest_input", fmt.Sprintf("%T", s.slowest), "slowest_input_took", s.slowestTook.Round(time.Millisecond))
		}
		attrs = append(attrs, s.usage()...)
		log.Warn("slow loop iteration", attrs...)
		s.tracer.slow(s.what, d, time.Now())
	}
	s.what, s.slowest, s.input = "", nil, nil
}

// usage describes what the process used since the probe before the
// iteration: its CPU time (of window's wall time, all its threads: the
// background checkpoint writer and the collector included), the
// collector's share, and the collections that ran.
func (s *stallWatch) usage() []any {
	p := readProbe()
	window := time.Since(s.probeAt).Round(time.Millisecond)
	attrs := []any{"window", window}
	if p.cpu >= 0 && s.probe.cpu >= 0 {
		attrs = append(attrs, "process_cpu", (p.cpu - s.probe.cpu).Round(time.Millisecond))
	}
	gc := time.Duration((p.gcCPU - s.probe.gcCPU) * float64(time.Second))
	return append(attrs, "gc_cpu", gc.Round(time.Millisecond), "gc_cycles", p.gcCycles-s.probe.gcCycles)
}

// timedStorage is the driver's storage, timed into a stallWatch: a slow
// iteration's line says how much of it the log's writes and fsyncs took,
// and so how much the rest of the Flush (sending, executing) did.
type timedStorage struct {
	driver.Storage
	watch *stallWatch
}

func (t timedStorage) Persist(out *core.Output, status core.Status, done func()) error {
	start := time.Now()
	err := t.Storage.Persist(out, status, done)
	t.watch.persisting += time.Since(start)
	return err
}
