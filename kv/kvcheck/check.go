package kvcheck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
)

// ErrBadHistory reports a history Check cannot check: an operation with an
// input or output of the wrong type, an unknown Op, or a return before its
// call.
var ErrBadHistory = errors.New("kvcheck: bad history")

// Check reports whether ops is linearizable. A timeout of 0 means none; the
// context's deadline, if sooner, also bounds the check. On timeout the
// result is porcupine.Unknown with a nil error; if ctx ends first, the
// result is porcupine.Unknown with ctx's error. Operations with unknown
// outcome that are not settled get a return time of math.MaxInt64 (see the
// package documentation) whatever they were recorded with.
func Check(ctx context.Context, ops []porcupine.Operation, timeout time.Duration) (porcupine.CheckResult, error) {
	res, _, err := check(ctx, ops, timeout, false)
	return res, err
}

// CheckVerbose is Check that also returns the data WriteVisualization needs.
func CheckVerbose(ctx context.Context, ops []porcupine.Operation, timeout time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo, error) {
	return check(ctx, ops, timeout, true)
}

// WriteVisualization writes porcupine's HTML visualization of a checked
// history to path: for an Illegal history it shows the longest partial
// linearizations and where they fail.
func WriteVisualization(path string, info porcupine.LinearizationInfo) error {
	return porcupine.VisualizePath(Model(), info, path)
}

func check(ctx context.Context, ops []porcupine.Operation, timeout time.Duration, verbose bool) (porcupine.CheckResult, porcupine.LinearizationInfo, error) {
	var info porcupine.LinearizationInfo
	ops, err := normalize(ops)
	if err != nil {
		return porcupine.Unknown, info, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		if left <= 0 {
			return porcupine.Unknown, info, context.DeadlineExceeded
		}
		if timeout == 0 || left < timeout {
			timeout = left
		}
	}
	model := newModel(ctx)
	var res porcupine.CheckResult
	if verbose {
		res, info = porcupine.CheckOperationsVerbose(model, ops, timeout)
	} else {
		res = porcupine.CheckOperationsTimeout(model, ops, timeout)
	}
	if err := ctx.Err(); err != nil {
		return porcupine.Unknown, info, err
	}
	return res, info, nil
}

// normalize validates ops and returns a copy without stale reads (see
// CheckStale), in which every unknown write that is not settled returns at
// math.MaxInt64 and unknown reads are dropped.
func normalize(ops []porcupine.Operation) ([]porcupine.Operation, error) {
	out := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		in, okIn := op.Input.(Input)
		res, okOut := op.Output.(Output)
		if !okIn || !okOut {
			return nil, fmt.Errorf("%w: operation %d has input %T, output %T", ErrBadHistory, i, op.Input, op.Output)
		}
		if err := validate(in, res); err != nil {
			return nil, fmt.Errorf("%w: operation %d: %v", ErrBadHistory, i, err)
		}
		switch {
		case in.Stale:
			continue
		case res.Unknown && readOnly(in):
			continue
		case res.Unknown && !res.Settled:
			op.Return = math.MaxInt64
		case op.Return < op.Call:
			return nil, fmt.Errorf("%w: operation %d returns before its call", ErrBadHistory, i)
		}
		out = append(out, op)
	}
	return out, nil
}

// validate checks one operation's input and output.
func validate(in Input, out Output) error {
	if err := validInput(in, true); err != nil {
		return err
	}
	if in.Op == OpBatch && !out.Unknown && len(out.Batch) != len(in.Batch) {
		return fmt.Errorf("batch of %d operations with %d outputs", len(in.Batch), len(out.Batch))
	}
	return nil
}

// validInput checks an input; top is false inside a batch.
func validInput(in Input, top bool) error {
	switch {
	case in.Op < OpGet || in.Op >= opCount:
		return fmt.Errorf("unknown op %d", in.Op)
	case in.Op == OpBatch && (!top || len(in.Batch) == 0):
		return errors.New("empty batch or batch inside a batch")
	case in.Stale && (!top || !readOnly(in) || in.Op == OpBatch):
		return fmt.Errorf("stale %v", describeInput(in))
	case in.Limit < 0:
		return fmt.Errorf("negative scan limit %d", in.Limit)
	}
	if in.Op == OpBatch {
		for _, sub := range in.Batch {
			if err := validInput(sub, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOnly reports whether an operation writes nothing.
func readOnly(in Input) bool {
	switch in.Op {
	case OpGet, OpScan, OpScanPrefix:
		return true
	case OpBatch:
		for _, sub := range in.Batch {
			if !readOnly(sub) {
				return false
			}
		}
		return true
	}
	return false
}
