package sim

import (
	"context"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/kv/kvcheck"
)

// checkTimeout bounds the linearizability check of one run (wall time).
const checkTimeout = 20 * time.Second

// history records every client operation for the linearizability check.
// Operations still pending at the end, and those whose session was evicted,
// have unknown outcomes.
type history struct {
	rec  *kvcheck.Recorder
	cmds []kv.Command // by history id
}

func (r *run) initHistory() {
	r.hist.rec = kvcheck.NewRecorder(func() int64 { return r.now })
}

// begin records the submission of cmd by client.
func (h *history) begin(client int, cmd kv.Command) int {
	in, ok := kvcheck.InputOf(cmd)
	if !ok {
		panic("sim: unchecked command kind " + cmd.Kind.String())
	}
	id := h.rec.Begin(client, in)
	if id != len(h.cmds) {
		panic("sim: history ids out of step")
	}
	h.cmds = append(h.cmds, cmd)
	return id
}

// end records the result of operation id.
func (h *history) end(id int, res kv.Result) {
	out, ok := kvcheck.OutputOf(res)
	if !ok {
		panic("sim: recording a rejected command")
	}
	h.rec.End(id, out)
}

// unknown records that operation id ended with an unknown outcome.
func (h *history) unknown(id int) { h.rec.EndUnknown(id) }

// checkHistory checks the clients' history for linearizability.
func (r *run) checkHistory() {
	ops := r.hist.rec.Operations()
	res, err := kvcheck.Check(context.Background(), ops, checkTimeout)
	switch {
	case err != nil:
		r.violate(KindProtocol, "history check: %v", err)
	case res == porcupine.Illegal:
		r.violate(KindLinearizability, "the history of %d operations is not linearizable", len(ops))
	case res == porcupine.Unknown:
		r.res.CheckTimeouts++
		r.logf("linearizability check timed out after %v", checkTimeout)
	}
}
