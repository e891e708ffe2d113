package kvcheck

import (
	"context"

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
	// OpScan reads the keys in [Key, End) (End "": no upper bound).
	OpScan
	// OpScanPrefix reads the keys that start with Key.
	OpScanPrefix
	// OpBatch runs Batch in order, atomically: nothing comes between its
	// operations.
	OpBatch
	opCount // first unknown Op
)

// Input is a porcupine operation input: what the client asked.
type Input struct {
	Op       Op
	Key      string // the key; the scan start (Scan); the prefix (ScanPrefix)
	Value    string // Put, CAS
	Expected uint64 // CAS: the expected version, 0 = key absent
	End      string // Scan: the exclusive end, "" = none
	// Limit is the most items a scan returns; 0 means no limit. The
	// store's byte budget per scan is not modelled: a scan it cut short
	// looks like a wrong result.
	Limit int
	Batch []Input // Batch: its operations, none of them a batch
	// Stale marks a read answered by one replica from its own state (Get,
	// Scan or ScanPrefix). Check leaves it out; CheckStale checks it.
	Stale bool
}

// Item is one key a scan returned.
type Item struct {
	Key     string
	Value   string
	Version uint64
}

// Output is a porcupine operation output: what the client was told.
type Output struct {
	// Unknown marks an operation whose outcome the client never learned;
	// the other fields but Settled are then ignored.
	Unknown bool
	// Settled, with Unknown, says that the operation, if it took effect at
	// all, did so before it returned (a VR session-evicted reply: a copy
	// of the request that executed executed before it). Without it an
	// unknown operation may take effect at any time after its call.
	Settled bool
	// Found: Get found the key; Delete removed an existing key.
	Found bool
	// Value is the value Get returned.
	Value string
	// Version is the version Get returned, the new version of a Put or a
	// swapping CAS, or the current version (0: absent) a failed CAS saw.
	Version uint64
	// Swapped reports whether a CAS wrote.
	Swapped bool
	// Items are the keys a scan returned, in key order.
	Items []Item
	// More reports that a scan stopped at its limit with keys left.
	More bool
	// Batch are the outputs of a batch's operations, in order.
	Batch []Output
	// Source identifies the replica state that answered, 0 if unknown:
	// operations answered by equal non-zero sources were answered by one
	// replica whose state never went back in between (in the simulator, a
	// replica and its incarnation). Only CheckStale uses it.
	Source uint64
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
		Init:           func() []any { return []any{kvState(nil)} },
		Step: func(state, input, output any) []any {
			if ctx.Err() != nil {
				return nil
			}
			return stepOp(state.(kvState), input.(Input), output.(Output))
		},
		Equal:             func(a, b any) bool { return a.(kvState).equal(b.(kvState)) },
		Hash:              func(s any) uint64 { return s.(kvState).hash() },
		DescribeOperation: describeOperation,
		DescribeState:     func(s any) string { return s.(kvState).String() },
	}
	return nm.ToModel()
}
