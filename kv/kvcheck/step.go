package kvcheck

// step returns every state the key can be in after the operation, none if
// the output is impossible in state s.
func step(s keyState, in Input, out Output) []any {
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
	return []any{next}
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
func stepUnknown(s keyState, in Input) []any {
	unknownWrite := func(floor uint64) keyState {
		return keyState{Exists: true, Value: in.Value, Floor: floor}
	}
	switch in.Op {
	case OpPut:
		return []any{unknownWrite(s.Floor)}
	case OpDelete:
		return []any{deleted(s)}
	case OpCAS:
		return casUnknown(s, in, unknownWrite)
	}
	return []any{s}
}

// casUnknown returns the states after a CAS whose outcome is unknown: it
// swaps if the expected version is current, fails otherwise, and both are
// possible while the current version is itself unknown.
func casUnknown(s keyState, in Input, write func(floor uint64) keyState) []any {
	switch {
	case in.Expected == 0 && !s.Exists:
		return []any{write(s.Floor)}
	case in.Expected == 0 || !s.Exists:
		return []any{s}
	case s.Version == in.Expected:
		return []any{write(s.Floor)}
	case s.Version != 0 || in.Expected <= s.Floor:
		return []any{s}
	}
	return []any{write(in.Expected), s}
}
