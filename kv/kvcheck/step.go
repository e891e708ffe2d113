package kvcheck

import "strings"

// stepOp returns every state the partition can be in after the operation,
// none if the output is impossible in state s.
func stepOp(s kvState, in Input, out Output) []any {
	next := stepStates(s, in, out)
	if out.Unknown && out.Settled {
		// It may also never take effect: it cannot be linearized after
		// everything else to stay unseen.
		next = appendNew(next, s)
	}
	res := make([]any, len(next))
	for i, st := range next {
		res[i] = st
	}
	return res
}

// stepStates is stepOp with typed states.
func stepStates(s kvState, in Input, out Output) []kvState {
	switch in.Op {
	case OpScan, OpScanPrefix:
		if out.Unknown {
			return []kvState{s}
		}
		if next, ok := stepScan(s, in, out); ok {
			return []kvState{next}
		}
		return nil
	case OpBatch:
		return stepBatch(s, in, out)
	}
	var next []kvState
	for _, ks := range stepKey(s.get(in.Key), in, out) {
		next = append(next, s.set(in.Key, ks))
	}
	return next
}

// stepKey returns every state a key can be in after a single-key
// operation, none if the output is impossible in state s.
func stepKey(s keyState, in Input, out Output) []keyState {
	if out.Unknown {
		return stepUnknown(s, in)
	}
	var next keyState
	var ok bool
	switch in.Op {
	case OpGet:
		next, ok = stepGet(s, out)
	case OpPut:
		next, ok = written(s.Floor, in.Value, out.Version)
	case OpDelete:
		next, ok = deleted(s), out.Found == s.Exists
	case OpCAS:
		next, ok = stepCAS(s, in, out)
	}
	if !ok {
		return nil
	}
	return []keyState{next}
}

// stepBatch applies a batch's operations in order, with nothing in
// between. A batch whose outcome is unknown applies each of its writes as
// an unknown write: all of them take effect at one point, or (linearized
// last) none is ever seen.
func stepBatch(s kvState, in Input, out Output) []kvState {
	if !out.Unknown && len(out.Batch) != len(in.Batch) {
		return nil
	}
	states := []kvState{s}
	for i, sub := range in.Batch {
		subOut := Output{Unknown: true}
		if !out.Unknown {
			subOut = out.Batch[i]
		}
		var next []kvState
		for _, st := range states {
			for _, n := range stepStates(st, sub, subOut) {
				next = appendNew(next, n)
			}
		}
		if len(next) == 0 {
			return nil
		}
		states = next
	}
	return states
}

// appendNew appends s to states unless an equal state is there.
func appendNew(states []kvState, s kvState) []kvState {
	for _, t := range states {
		if t.equal(s) {
			return states
		}
	}
	return append(states, s)
}

// stepScan checks a scan's items against the existing keys in its range,
// in order and up to its limit, and learns the versions it reveals.
func stepScan(s kvState, in Input, out Output) (kvState, bool) {
	var want []keyEntry
	for _, e := range s {
		if e.st.Exists && inRange(in, e.key) {
			want = append(want, e)
		}
	}
	more := in.Limit > 0 && len(want) > in.Limit
	if more {
		want = want[:in.Limit]
	}
	if out.More != more || len(out.Items) != len(want) {
		return s, false
	}
	for i, it := range out.Items {
		e := want[i]
		if it.Key != e.key || it.Value != e.st.Value {
			return s, false
		}
		ks, ok := hasVersion(e.st, it.Version)
		if !ok {
			return s, false
		}
		s = s.set(e.key, ks)
	}
	return s, true
}

// inRange reports whether a scan reads key.
func inRange(in Input, key string) bool {
	if in.Op == OpScanPrefix {
		return strings.HasPrefix(key, in.Key)
	}
	return key >= in.Key && (in.End == "" || key < in.End)
}

// written is the state after a write of value at version v, which must be
// above floor.
func written(floor uint64, value string, v uint64) (keyState, bool) {
	return keyState{Exists: true, Value: value, Version: v, Floor: v}, v > floor
}

// deleted is the state after a delete.
func deleted(s keyState) keyState { return keyState{Floor: s.Floor} }

// hasVersion reports whether the existing key can have version v, and the
// state with v known.
func hasVersion(s keyState, v uint64) (keyState, bool) {
	switch {
	case !s.Exists:
		return s, false
	case s.Version != 0:
		return s, v == s.Version
	case v <= s.Floor:
		return s, false
	}
	s.Version, s.Floor = v, v
	return s, true
}

func stepGet(s keyState, out Output) (keyState, bool) {
	if !out.Found {
		return s, !s.Exists
	}
	if !s.Exists || s.Value != out.Value {
		return s, false
	}
	return hasVersion(s, out.Version)
}

func stepCAS(s keyState, in Input, out Output) (keyState, bool) {
	if out.Swapped {
		if in.Expected == 0 {
			if s.Exists {
				return s, false
			}
			return written(s.Floor, in.Value, out.Version)
		}
		if _, ok := hasVersion(s, in.Expected); !ok {
			return s, false
		}
		return written(max(s.Floor, in.Expected), in.Value, out.Version)
	}
	if !s.Exists {
		return s, in.Expected != 0 && out.Version == 0
	}
	if out.Version == in.Expected {
		return s, false
	}
	return hasVersion(s, out.Version)
}

// stepUnknown applies a write whose outcome is unknown; see the package
// documentation. The new version of the write is unknown, above the floor.
func stepUnknown(s keyState, in Input) []keyState {
	unknownWrite := func(floor uint64) keyState {
		return keyState{Exists: true, Value: in.Value, Floor: floor}
	}
	switch in.Op {
	case OpPut:
		return []keyState{unknownWrite(s.Floor)}
	case OpDelete:
		return []keyState{deleted(s)}
	case OpCAS:
		return casUnknown(s, in, unknownWrite)
	}
	return []keyState{s}
}

// casUnknown returns the states after a CAS whose outcome is unknown: it
// swaps if the expected version is current, fails otherwise, and both are
// possible while the current version is itself unknown.
func casUnknown(s keyState, in Input, write func(floor uint64) keyState) []keyState {
	switch {
	case in.Expected == 0 && !s.Exists:
		return []keyState{write(s.Floor)}
	case in.Expected == 0 || !s.Exists:
		return []keyState{s}
	case s.Version == in.Expected:
		return []keyState{write(s.Floor)}
	case s.Version != 0 || in.Expected <= s.Floor:
		return []keyState{s}
	}
	return []keyState{write(in.Expected), s}
}
