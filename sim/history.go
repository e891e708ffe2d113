package sim

import (
	"context"
	"errors"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/kv/kvcheck"
)

// checkTimeout bounds the linearizability check of one run (wall time). A
// check that does not finish fails the run: a timeout is not a pass.
const checkTimeout = 20 * time.Second

// The kinds of violation the history checks report.
const (
	// KindCheckTimeout: the linearizability check did not finish in time,
	// so the history was not shown linearizable.
	KindCheckTimeout Kind = "check-timeout"
	// KindStaleRead: a stale read returned a value never written, or one
	// older than its replica was already seen to hold.
	KindStaleRead Kind = "stale-read"
)

// history records every client operation for the end-of-run checks.
// Operations still pending at the end, and those whose session was evicted,
// have unknown outcomes.
type history struct {
	rec     *kvcheck.Recorder
	cmds    []kv.Command  // by history id
	timeout time.Duration // of the linearizability check; 0: checkTimeout
	plant   plantedBugs   // bugs planted to show the checks fail
	force   *workload     // if set, the run's workload (tests)
}

func (r *run) initHistory() {
	r.hist.rec = kvcheck.NewRecorder(func() int64 { return r.now })
}

// begin records the submission of cmd by client.
func (h *history) begin(client int, cmd kv.Command) int { return h.beginAs(client, cmd, false) }

// beginAs is begin; stale marks a read that one replica answers from its
// own state.
func (h *history) beginAs(client int, cmd kv.Command, stale bool) int {
	in, ok := kvcheck.InputOf(cmd)
	if !ok {
		panic("sim: unchecked command kind " + cmd.Kind.String())
	}
	in.Stale = stale
	id := h.rec.Begin(client, in)
	if id != len(h.cmds) {
		panic("sim: history ids out of step")
	}
	h.cmds = append(h.cmds, cmd)
	return id
}

// end records the result of operation id, answered by source (see
// kvcheck.Output.Source; 0: unknown).
func (h *history) end(id int, res kv.Result, source uint64) {
	out, ok := kvcheck.OutputOf(res)
	if !ok {
		panic("sim: recording a rejected command")
	}
	out.Source = source
	h.rec.End(id, out)
}

// evicted records that operation id was answered "session evicted": its
// outcome is unknown, but if it took effect it did so before now.
func (h *history) evicted(id int) { h.rec.EndSettled(id) }

// checkHistory checks the clients' history: linearizable, except for stale
// reads, which must keep their own weaker promise.
func (r *run) checkHistory() {
	ops := r.hist.rec.Operations()
	r.checkLinearizable(ops)
	if r.viol == nil {
		r.checkStaleReads(ops)
	}
}

// checkLinearizable checks the history with porcupine. Not finishing in
// time is a failure.
func (r *run) checkLinearizable(ops []porcupine.Operation) {
	timeout := r.hist.timeout
	if timeout == 0 {
		timeout = checkTimeout
	}
	start := time.Now()
	res, err := kvcheck.Check(context.Background(), ops, timeout)
	took := time.Since(start)
	switch {
	case err != nil:
		r.violate(KindProtocol, "history check: %v", err)
	case res == porcupine.Illegal:
		r.violate(KindLinearizability, "the history of %d operations is not linearizable", len(ops))
	case res == porcupine.Unknown:
		r.res.CheckTimeouts++
		r.violate(KindCheckTimeout, "the linearizability check of %d operations did not finish in %v: not shown linearizable", len(ops), timeout)
	default:
		r.logf("history of %d operations linearizable (checked in %v)", len(ops), took.Round(time.Microsecond))
	}
}

// checkStaleReads checks the stale reads of the history (kvcheck.CheckStale).
func (r *run) checkStaleReads(ops []porcupine.Operation) {
	err := kvcheck.CheckStale(ops)
	switch {
	case errors.Is(err, kvcheck.ErrStaleRead):
		r.violate(KindStaleRead, "%v", err)
	case err != nil:
		r.violate(KindProtocol, "stale-read check: %v", err)
	}
}
