package kvcheck

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/anishathalye/porcupine"
)

// Op is the kind of a recorded operation.
type Op uint8

// The checked operations.
const (
	OpGet Op = iota + 1
	OpPut
	OpDelete
	OpCAS
)

// Input is a porcupine operation input: what the client asked.
type Input struct {
	Op       Op
	Key      string
	Value    string // Put, CAS
	Expected uint64 // CAS: the expected version, 0 = key absent
}

// Output is a porcupine operation output: what the client was told.
type Output struct {
	// Unknown marks an operation whose outcome the client never learned;
	// the other fields are then ignored.
	Unknown bool
	// Found: Get found the key; Delete removed an existing key.
	Found bool
	// Value is the value Get returned.
	Value string
	// Version is the version Get returned, the new version of a Put or a
	// swapping CAS, or the current version (0: absent) a failed CAS saw.
	Version uint64
	// Swapped reports whether a CAS wrote.
	Swapped bool
}

// keyState is the model state of one key. Version 0 with Exists means the
// version is not known yet, only that it is above Floor.
type keyState struct {
	Exists  bool
	Value   string
	Version uint64
	Floor   uint64 // every version the key takes from now on is above it
}

// Model returns the partitioned porcupine model for kv histories; see the
// package documentation. Use it with porcupine directly, or use Check.
func Model() porcupine.Model { return newModel(context.Background()) }

// newModel returns the model; once ctx is done every step fails, so that
// porcupine stops quickly (Check then reports the context's error).
func newModel(ctx context.Context) porcupine.Model {
	nm := porcupine.NondeterministicModel{
		Partition:      Partition,
		PartitionEvent: PartitionEvent,
		Init:           func() []any { return []any{keyState{}} },
		Step: func(state, input, output any) []any {
			if ctx.Err() != nil {
				return nil
			}
			return step(state.(keyState), input.(Input), output.(Output))
		},
		Equal:             func(a, b any) bool { return a.(keyState) == b.(keyState) },
		Hash:              hashState,
		DescribeOperation: describeOperation,
		DescribeState:     describeState,
	}
	return nm.ToModel()
}

func hashState(state any) uint64 {
	s := state.(keyState)
	h := fnv.New64a()
	fmt.Fprintf(h, "%t|%d|%d|%s", s.Exists, s.Version, s.Floor, s.Value)
	return h.Sum64()
}

func describeState(state any) string {
	s := state.(keyState)
	switch {
	case !s.Exists:
		return fmt.Sprintf("absent (versions > %d)", s.Floor)
	case s.Version == 0:
		return fmt.Sprintf("%q @ >%d", s.Value, s.Floor)
	}
	return fmt.Sprintf("%q @ %d", s.Value, s.Version)
}

func describeOperation(input, output any) string {
	in, out := input.(Input), output.(Output)
	var call string
	switch in.Op {
	case OpGet:
		call = fmt.Sprintf("get(%q)", in.Key)
	case OpPut:
		call = fmt.Sprintf("put(%q, %q)", in.Key, in.Value)
	case OpDelete:
		call = fmt.Sprintf("delete(%q)", in.Key)
	case OpCAS:
		call = fmt.Sprintf("cas(%q, %d, %q)", in.Key, in.Expected, in.Value)
	default:
		call = fmt.Sprintf("op%d(%q)", in.Op, in.Key)
	}
	return call + " -> " + describeOutput(in.Op, out)
}

func describeOutput(op Op, out Output) string {
	switch {
	case out.Unknown:
		return "unknown"
	case op == OpGet && out.Found:
		return fmt.Sprintf("%q @ %d", out.Value, out.Version)
	case op == OpGet, op == OpDelete && !out.Found:
		return "absent"
	case op == OpDelete:
		return "deleted"
	case op == OpCAS && !out.Swapped:
		return fmt.Sprintf("failed, current %d", out.Version)
	}
	return fmt.Sprintf("ok @ %d", out.Version)
}
