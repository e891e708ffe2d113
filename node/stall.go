package node

import (
	"log/slog"
	"time"
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
	what   string
	start  time.Time
	step   string        // a named first part of the iteration, if any
	stepAt time.Duration // how long into the iteration it ended
}

// begin starts timing an iteration that handles what.
func (s *stallWatch) begin(what string) { s.what, s.start, s.step = what, time.Now(), "" }

// mark notes that the part of the iteration called step ended.
func (s *stallWatch) mark(step string) { s.step, s.stepAt = step, time.Since(s.start) }

// end logs the iteration if it was slow.
func (s *stallWatch) end(log *slog.Logger) {
	if s.what == "" {
		return
	}
	if d := time.Since(s.start); d >= slowIteration {
		attrs := []any{"handling", s.what, "took", d.Round(time.Millisecond)}
		if s.step != "" {
			attrs = append(attrs, s.step, s.stepAt.Round(time.Millisecond))
		}
		log.Warn("slow loop iteration", attrs...)
	}
	s.what = ""
}
