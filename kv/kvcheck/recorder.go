package kvcheck

import (
	"fmt"
	"math"
	"sync"

	"github.com/anishathalye/porcupine"
)

// Recorder records a history of operations. It is safe for concurrent use.
//
// Timestamps come from the injected clock, which must be monotonic
// (simulated time, or time.Since a fixed start). The Recorder reads it under
// its lock and makes the timestamps strictly increasing (bumping a repeated
// reading by one), so events recorded in sequence are ordered even when the
// clock has not moved: an End recorded before a Begin means the first
// operation completed before the second was invoked. So call Begin before
// sending a request and End after receiving its reply.
type Recorder struct {
	mu    sync.Mutex
	clock func() int64
	last  int64
	ops   []porcupine.Operation
	state []opState
}

type opState uint8

const (
	opPending opState = iota
	opEnded
	opDiscarded
)

// NewRecorder returns an empty Recorder using clock.
func NewRecorder(clock func() int64) *Recorder {
	return &Recorder{clock: clock, last: math.MinInt64}
}

// now returns the next timestamp. Call with mu held.
func (r *Recorder) now() int64 {
	t := r.clock()
	if t <= r.last {
		t = r.last + 1
	}
	r.last = t
	return t
}

// Begin records the invocation of input by a client and returns the
// operation's id for End, EndUnknown, EndSettled or Discard. Client ids
// are for the visualization and should be small and zero-based.
func (r *Recorder) Begin(clientID int, input Input) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, porcupine.Operation{
		ClientId: clientID,
		Input:    input,
		Call:     r.now(),
		Output:   Output{Unknown: true},
		Return:   math.MaxInt64,
	})
	r.state = append(r.state, opPending)
	return len(r.ops) - 1
}

// End records the completion of operation id with output. It panics if id
// was not begun or was already ended or discarded.
func (r *Recorder) End(id int, output Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finish(id, opEnded)
	r.ops[id].Output = output
	if !output.Unknown || output.Settled {
		r.ops[id].Return = r.now()
	}
}

// EndUnknown records that the client gave up on operation id without
// learning its outcome (a timeout): it may or may not take effect, at any
// time after its call.
func (r *Recorder) EndUnknown(id int) { r.End(id, Output{Unknown: true}) }

// EndSettled records that operation id ended with an unknown outcome that
// is settled: if it took effect, it did so before now (a VR session-evicted
// reply).
func (r *Recorder) EndSettled(id int) { r.End(id, Output{Unknown: true, Settled: true}) }

// Discard forgets operation id, known to have had no effect (for example a
// command the store rejected as invalid).
func (r *Recorder) Discard(id int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finish(id, opDiscarded)
}

// finish moves a pending operation to state st. Call with mu held.
func (r *Recorder) finish(id int, st opState) {
	if id < 0 || id >= len(r.state) || r.state[id] != opPending {
		panic(fmt.Sprintf("kvcheck: operation %d is not pending", id))
	}
	r.state[id] = st
}

// Operations returns the history so far, discarded operations left out.
// Operations still pending are included as unknown.
func (r *Recorder) Operations() []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := make([]porcupine.Operation, 0, len(r.ops))
	for i, op := range r.ops {
		if r.state[i] != opDiscarded {
			ops = append(ops, op)
		}
	}
	return ops
}
