package core

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Incremental checkpoints. A state machine whose snapshots can also write
// only what changed since the state machine's previous snapshot
// (DeltaSnapshot, applied by DeltaStateMachine.ApplyDelta) lets a driver
// save a checkpoint as a delta on top of the checkpoint it saved before:
// the cost of a checkpoint is then proportional to what changed, not to
// the state. A checkpoint's bytes are a chain of records: one full record
// (the format of checkpoint.go) followed by zero or more delta records,
//
//	"VRcd\x01" | op u64 | prev u64 | table length u64 | client table |
//	delta as chunks (u32 length | bytes)*, ended by a length of 0 | crc32c u32
//
// where prev is the op of the record before it; the client table is whole
// in every record (it is small, bounded by MaxSessions). The chain's op is
// its last record's. Which checkpoints a driver saves as deltas depends on
// its timing, so chains of the same op may differ between replicas; their
// states do not.

// DeltaSnapshot is a Snapshot that can also write the changes from the
// state machine's state at its previous Snapshot, Restore or ApplyDelta
// call to its own state. Its WriteDeltaTo follows the concurrency contract
// of WriteTo.
type DeltaSnapshot interface {
	Snapshot
	// WriteDeltaTo writes the changes since the previous snapshot's state
	// (or since prev's, after Absorb). It fails if the state machine could
	// not track them (HasDelta is false).
	WriteDeltaTo(w io.Writer) (int64, error)
	// HasDelta reports whether WriteDeltaTo can write the changes.
	HasDelta() bool
	// Absorb extends this snapshot's changes back over prev's: prev is the
	// snapshot taken just before this one, which will not be written.
	// Afterwards WriteDeltaTo writes the changes from the state prev's
	// delta started from. It reports false when it cannot (HasDelta is
	// then false). It runs on the replica's goroutine or on the driver's,
	// never concurrently with WriteTo or WriteDeltaTo of either snapshot.
	Absorb(prev Snapshot) bool
}

// DeltaStateMachine is a StateMachine whose snapshots are DeltaSnapshots.
type DeltaStateMachine interface {
	StateMachine
	// ApplyDelta applies the changes a DeltaSnapshot wrote, read from r
	// to its end, to the state that snapshot's delta started from. On
	// error (including a delta that does not start from the current
	// state) the state is unchanged.
	ApplyDelta(r io.Reader) error
}

// deltaMagic starts every delta record; the last byte is its version (2:
// sessions carry their identity, as in checkpoint format 3).
const deltaMagic = "VRcd\x02"

// DeltaFrom returns the op of the checkpoint whose state this one's delta
// starts from, and whether a delta can be written at all. A driver that
// saved the checkpoint at that op (and everything it rests on) may save
// this one with WriteDeltaTo; otherwise it must write it whole.
func (c *Checkpoint) DeltaFrom() (uint64, bool) {
	d, ok := c.snap.(DeltaSnapshot)
	if !ok || c.prev == 0 || c.prev >= c.Op || !d.HasDelta() {
		return 0, false
	}
	return c.prev, true
}

// Absorb makes this checkpoint's delta start where prev's started: prev
// was taken just before this one and will not be saved (a newer
// checkpoint replaced it while it waited, or two fell due in one step).
// Without it, the delta would miss prev's changes. Call it from the
// goroutine that holds both, before either is written.
func (c *Checkpoint) Absorb(prev *Checkpoint) {
	if prev == nil || c.prev == 0 {
		return
	}
	d, ok := c.snap.(DeltaSnapshot)
	switch {
	case c.bugs.DeltaSkipsReplaced:
		c.prev = prev.prev // planted: prev's changes are lost
	case ok && prev.Op == c.prev && prev.prev != 0 && prev.snap != nil && d.Absorb(prev.snap):
		c.prev = prev.prev
	default:
		c.prev = 0 // written whole
	}
}

// WriteDeltaTo writes the checkpoint as a delta record (DeltaFrom must
// report ok): what a driver appends to the chain that ends at the
// checkpoint of op DeltaFrom.
func (c *Checkpoint) WriteDeltaTo(w io.Writer) (int64, error) {
	prev, ok := c.DeltaFrom()
	if !ok {
		return 0, fmt.Errorf("%w: checkpoint at op %d has no delta", ErrBadCheckpoint, c.Op)
	}
	d := c.snap.(DeltaSnapshot)
	return writeRecord(w, deltaMagic, c.Op, prev, c.table, d.WriteDeltaTo)
}

// CheckpointRecord is what the header of one record of a checkpoint's
// bytes says.
type CheckpointRecord struct {
	Op    uint64
	Delta bool   // a delta record; otherwise a full one
	Prev  uint64 // a delta's: the op of the record it follows
}

// ReadCheckpointRecord reads the header of the record r starts with:
// drivers walk a chain of files back from its newest one with it.
func ReadCheckpointRecord(r io.Reader) (CheckpointRecord, error) {
	var h [len(checkpointMagic) + 16]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return CheckpointRecord{}, fmt.Errorf("%w: header: %v", ErrBadCheckpoint, err)
	}
	op := binary.LittleEndian.Uint64(h[len(checkpointMagic):])
	switch string(h[:len(checkpointMagic)]) {
	case checkpointMagic:
		return CheckpointRecord{Op: op}, nil
	case deltaMagic:
		return CheckpointRecord{Op: op, Delta: true, Prev: binary.LittleEndian.Uint64(h[len(checkpointMagic)+8:])}, nil
	}
	return CheckpointRecord{}, fmt.Errorf("%w: bad magic or version", ErrBadCheckpoint)
}
