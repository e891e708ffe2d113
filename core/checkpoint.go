package core

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// Checkpoint is the replicated state after executing every op up to Op: the
// client table and the state machine's snapshot. It holds no encoded bytes:
// a checkpoint the replica takes holds the client table (small, bounded by
// MaxSessions) and the state machine's Snapshot handle, and its bytes are
// produced by WriteTo, later, by whoever saves or serves it (the driver, on
// another goroutine if it likes); one read back from disk or assembled from
// chunks holds a way to open its bytes. Every replica checkpoints at the
// same ops and the encoding is deterministic, so checkpoints of the same op
// written whole are byte-for-byte equal; a driver may also save one as a
// delta on the previous one (delta.go), and its bytes are then a chain.
type Checkpoint struct {
	Op    uint64
	table []byte   // taken: the encoded client table
	snap  Snapshot // taken: the state machine's state at Op
	// prev, for a checkpoint taken, is the op of the checkpoint the state
	// machine's previous snapshot was taken (or restored) at: where the
	// delta of a DeltaSnapshot starts (delta.go). 0: none.
	prev uint64
	bugs plant.Bugs
	// open, for a checkpoint read back, yields its encoded bytes.
	open func() (io.ReadCloser, error)
}

// ErrBadCheckpoint is returned (wrapped) for checkpoint bytes that fail
// their checksum or do not decode.
var ErrBadCheckpoint = errors.New("core: bad checkpoint")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkpointMagic starts every encoded checkpoint; the last byte is the
// format version (3: sessions carry their identity; 2: the snapshot in
// chunks). Only the current version is read.
const checkpointMagic = "VRck\x03"

// ReadCheckpoint returns the checkpoint at op whose encoded bytes open
// yields (a file, or bytes in memory): what durable mode reads back from
// disk. Nothing is read until the replica installs it or WriteTo runs.
func ReadCheckpoint(op uint64, open func() (io.ReadCloser, error)) *Checkpoint {
	return &Checkpoint{Op: op, open: open}
}

// CheckpointBytes returns the checkpoint at op encoded as data.
func CheckpointBytes(op uint64, data []byte) *Checkpoint {
	return ReadCheckpoint(op, func() (io.ReadCloser, error) {
		return memReader{bytes.NewReader(data)}, nil
	})
}

// memReader reads encoded bytes in memory; its Len lets a decoder size
// its buffer to them.
type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }

// maybeCheckpoint takes a checkpoint when one is due (checkpointDue).
// Taking it is cheap (the client table and a snapshot handle); the Output
// hands it to the driver, which writes it off the replica's step and
// reports CheckpointSaved, and only then does the log shrink (saved.go).
func (r *Replica) maybeCheckpoint() {
	if !r.checkpointDue() {
		return
	}
	prev := r.ckpt.Op
	r.ckpt = Checkpoint{Op: r.executed}
	r.sinceCkpt = 0
	ck := r.takeCheckpoint(prev)
	ck.Absorb(r.out.Checkpoint) // two in one step: the first is never saved
	r.out.Checkpoint = ck
}

// checkpointDue reports whether the op just executed ends a checkpoint
// interval: it is a multiple of CheckpointInterval, or the entries
// executed since the last checkpoint reached CheckpointBytes. Both are
// functions of the committed log from the last checkpoint on, and every
// checkpoint a replica holds or installs is one that replicas took by this
// rule from op 0, so by induction every replica checkpoints at the same ops
// — restarted or not, checkpoint installed by transfer or not. (Which of
// them the driver saves may differ: one write at a time.)
func (r *Replica) checkpointDue() bool {
	if r.executed <= r.ckpt.Op {
		return false
	}
	if r.reconfigAt {
		return true // a RECONFIGURATION (executed anew or again): the next epoch's first state
	}
	if k := r.cfg.CheckpointInterval; k != 0 && r.executed%k == 0 {
		return true
	}
	switch {
	case r.cfg.bugs.CheckpointByOpsOnly:
		return false
	case r.cfg.bugs.CheckpointByLogSize:
		return r.logBytes >= r.cfg.CheckpointBytes
	}
	return r.sinceCkpt >= r.cfg.CheckpointBytes
}

// takeCheckpoint captures the replicated state at executed; prev is the
// op at which the state machine's previous snapshot was taken or its state
// restored.
func (r *Replica) takeCheckpoint(prev uint64) *Checkpoint {
	r.assertNotWitness("take a checkpoint")
	if r.installing() {
		panic(fmt.Sprintf("core: replica %d takes a checkpoint while its driver installs one", r.index))
	}
	return &Checkpoint{Op: r.executed, table: r.encodeTable(), snap: r.sm.Snapshot(), prev: prev, bugs: r.cfg.bugs}
}

// WriteTo writes the checkpoint's self-checking encoding to w (see
// writeCheckpoint for the format); it may run on any goroutine, at any
// time after the Output that carried the checkpoint, and more than once.
func (c *Checkpoint) WriteTo(w io.Writer) (int64, error) {
	if c.open != nil {
		rc, err := c.open()
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		return io.Copy(w, rc)
	}
	if c.snap == nil {
		return 0, fmt.Errorf("%w: checkpoint at op %d holds no state", ErrBadCheckpoint, c.Op)
	}
	return writeCheckpoint(w, c.Op, c.table, c.snap)
}

// Verify reads the checkpoint's bytes and checks that they are an intact
// checkpoint of op c.Op: a chain of records (delta.go) whose checksums
// hold, well formed, each delta following the record before it, the last
// of op c.Op. Drivers call it on a checkpoint read from disk.
func (c *Checkpoint) Verify() error {
	if c.open == nil {
		return nil // taken by this process: not read from anywhere
	}
	rc, err := c.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = readChain(rc, c.Op, 0, nil)
	return err
}

// installCheckpoint restores the state machine and the client table from
// ck and makes it this replica's newest checkpoint. ck.Op must lie in
// [base, commit] and above executed. It reports why ck was not usable; the
// state is then unchanged, unless the error wraps errRestoredBad (the bytes
// failed their checks only after the state machine restored them: the
// caller must discard the replica).
func (r *Replica) installCheckpoint(ck *Checkpoint) error {
	r.assertNotWitness("install a checkpoint")
	if r.installing() {
		panic(fmt.Sprintf("core: replica %d restores a checkpoint while its driver installs one", r.index))
	}
	if ck.Op < r.base || ck.Op > r.commit || ck.Op <= r.executed {
		return fmt.Errorf("%w: op %d outside [%d, %d] or not above executed %d",
			ErrBadCheckpoint, ck.Op, r.base, r.commit, r.executed)
	}
	sessions, err := r.restoreFrom(ck)
	if err != nil {
		return err
	}
	r.adoptRestored(ck.Op, sessions)
	r.afterRestore()
	r.execute()
	return nil
}

// adoptRestored makes the state just restored from the checkpoint at op
// the replica's own: its client table, executed op and checkpoint. The
// driver saves the checkpoint again, from the restored state, and whole:
// its delta, since the restore, is empty.
func (r *Replica) adoptRestored(op uint64, sessions map[uint64]*session) {
	r.sessions.sessions = sessions
	r.executed = op
	r.ckpt = Checkpoint{Op: op}
	r.sinceCkpt = 0
	r.out.Checkpoint = r.takeCheckpoint(op)
	r.out.Applied = append(r.out.Applied, Applied{Entry: message.Entry{Op: op}, Restored: true})
}

// errRestoredBad marks a checkpoint whose checks failed after the state
// machine had restored it.
var errRestoredBad = errors.New("core: checkpoint failed its checks after the restore")

// restoreFrom streams ck's bytes into the state machine and returns the
// client table. An error of the first Restore leaves the state unchanged;
// any later one wraps errRestoredBad.
func (r *Replica) restoreFrom(ck *Checkpoint) (map[uint64]*session, error) {
	return restoreChain(ck, r.sm, r.cfg.MaxSessions)
}

// RestoreState restores sm from ck's bytes (the client table is read and
// dropped): for tools and drivers' tests, which have no replica. On error
// sm may hold part of the chain if the error wraps ErrBadCheckpoint after
// the full record was restored.
func RestoreState(ck *Checkpoint, sm StateMachine) error {
	_, err := restoreChain(ck, sm, 0)
	return err
}

// restoreChain streams ck's chain into sm: the full record's snapshot
// through Restore, then each delta through ApplyDelta.
func restoreChain(ck *Checkpoint, sm StateMachine, maxSessions int) (map[uint64]*session, error) {
	if ck.open == nil {
		return nil, fmt.Errorf("%w: checkpoint at op %d has no bytes to read", ErrBadCheckpoint, ck.Op)
	}
	rc, err := ck.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	restored := false
	use := func(i int, rec CheckpointRecord, snap io.Reader) error {
		if i == 0 {
			if err := sm.Restore(snap); err != nil {
				return fmt.Errorf("%w: state machine: %v", ErrBadCheckpoint, err)
			}
			restored = true
			return nil
		}
		dsm, ok := sm.(DeltaStateMachine)
		if !ok {
			return fmt.Errorf("%w: delta at op %d for a state machine without deltas", ErrBadCheckpoint, rec.Op)
		}
		if err := dsm.ApplyDelta(snap); err != nil {
			return fmt.Errorf("%w: state machine: delta at op %d: %v", ErrBadCheckpoint, rec.Op, err)
		}
		return nil
	}
	sessions, err := readChain(rc, ck.Op, maxSessions, use)
	if err != nil && restored {
		return nil, fmt.Errorf("%w: %w", errRestoredBad, err)
	}
	return sessions, err
}

// TakeCheckpoint returns a checkpoint at op of snap with an empty client
// table, whose delta (if snap has one) starts at the checkpoint of op
// prev: for drivers' tests, which have no replica.
func TakeCheckpoint(op, prev uint64, snap Snapshot) *Checkpoint {
	return &Checkpoint{Op: op, table: make([]byte, 8), snap: snap, prev: prev}
}

// afterRestore drops in-flight bookkeeping that the restore made stale.
func (r *Replica) afterRestore() {
	if r.status == StatusNormal && r.isPrimary() {
		r.rebuildInflight()
	}
}
