package core

import (
	"errors"
	"fmt"
	"io"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// Installing a fetched checkpoint off the replica's step. Restoring a
// large state is O(state): done inside a step it stalled the replica's
// loop for seconds (docs/benchmarks.md). So the replica does not hold the
// fetched bytes nor restore them: every chunk it accepts leaves in the
// Output (Output.FetchChunks), for the driver to store (a file in the
// node, memory in the simulator), and once the last one is accepted the
// Output carries an Install, which the driver runs off the loop: it
// assembles the checkpoint (its own saved chain up to Install.After, if
// not 0, then the fetched bytes), verifies it whole, streams it into the
// state machine, and reports the Install back with Replica.Installed, an
// input like CheckpointSaved. Meanwhile the replica keeps taking part in
// the protocol, but touches the state machine in no way: it executes
// nothing, answers no read, takes no checkpoint and joins no epoch.

// Releaser is a StateMachine that can drop its whole state at once, to
// hold less memory: an install of a verified checkpoint calls Release
// before Restore, so that the old state and the restored one are never
// held together (a replica that installs lacks the state at its log's
// base anyway, and does not use the old one). Release must leave a state
// that Restore replaces as usual. It follows the contract of Restore as
// to goroutines.
type Releaser interface {
	StateMachine
	Release()
}

// Install is a fetched checkpoint that the replica asks its driver to
// verify and restore into the state machine, off the replica's step.
type Install struct {
	// Op is the checkpoint's op; Size the bytes fetched, which the
	// Output's FetchChunks carried (at their offsets).
	Op, Size uint64
	// After, if not 0, is the op of a checkpoint the driver saved: the
	// fetched bytes are the records of a chain after the record of After,
	// and the checkpoint is the driver's chain of After followed by them.
	After uint64
	// InState: the fetched bytes are deltas after After that apply to the
	// state machine as it is (it holds the state at After); the driver
	// runs them alone, with no chain of its own before them.
	InState bool

	sm          StateMachine
	maxSessions int
	bugs        plant.Bugs
	ran         bool
	failed      bool // by Fail: the driver could not assemble it
	sessions    map[uint64]*session
	err         error
}

// Run verifies the checkpoint whose bytes open yields (the whole chain,
// assembled by the driver) and restores it into the state machine. The
// driver calls it once, on any goroutine, and then reports the Install
// with Replica.Installed on the replica's. A checkpoint that fails its
// checks leaves the state machine unchanged; the error is returned and
// the replica fetches again.
func (in *Install) Run(open func() (io.ReadCloser, error)) error {
	if in.ran {
		panic("core: an Install ran twice")
	}
	in.ran = true
	ck := ReadCheckpoint(in.Op, open)
	if in.InState {
		in.sessions, in.err = applyDeltas(ck, in.After, in.sm, in.maxSessions, !in.bugs.InstallUnverified)
		return in.err
	}
	if !in.bugs.InstallUnverified {
		if in.err = ck.Verify(); in.err != nil {
			return in.err
		}
	}
	rel, released := in.sm.(Releaser)
	if released {
		rel.Release() // verified: the restore below can only succeed
	}
	in.sessions, in.err = restoreChain(ck, in.sm, in.maxSessions)
	if in.err != nil && released && !errors.Is(in.err, errRestoredBad) {
		in.err = fmt.Errorf("%w: %w", errRestoredBad, in.err) // the old state is gone
	}
	return in.err
}

// applyDeltas verifies (with verify) the deltas after from that ck's bytes
// hold and applies them to sm, whose state is the state at from. A delta
// that sm refuses first leaves it unchanged; any failure after one was
// applied wraps errRestoredBad.
func applyDeltas(ck *Checkpoint, from uint64, sm StateMachine, maxSessions int, verify bool) (map[uint64]*session, error) {
	dsm, ok := sm.(DeltaStateMachine)
	if !ok {
		return nil, fmt.Errorf("%w: deltas for a state machine without deltas", ErrBadCheckpoint)
	}
	read := func(use func(int, CheckpointRecord, io.Reader) error) (map[uint64]*session, error) {
		rc, err := ck.open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return readChainFrom(rc, ck.Op, from, maxSessions, use)
	}
	if verify {
		if _, err := read(nil); err != nil {
			return nil, err
		}
	}
	applied := false
	sessions, err := read(func(_ int, rec CheckpointRecord, snap io.Reader) error {
		if err := dsm.ApplyDelta(snap); err != nil {
			return fmt.Errorf("%w: state machine: delta at op %d: %v", ErrBadCheckpoint, rec.Op, err)
		}
		applied = true
		return nil
	})
	if err != nil && applied {
		return nil, fmt.Errorf("%w: %w", errRestoredBad, err)
	}
	return sessions, err
}

// Fail reports that the driver could not assemble the checkpoint (its
// chain of After is gone, a write of the fetched bytes failed): the state
// machine is unchanged and the replica fetches again.
func (in *Install) Fail(err error) {
	in.ran, in.failed, in.err = true, true, fmt.Errorf("%w: %v", ErrBadCheckpoint, err)
}

// Err returns the outcome of Run or Fail.
func (in *Install) Err() error { return in.err }

// installing reports whether the driver is restoring a fetched checkpoint
// into the state machine, which the replica then must not touch.
func (r *Replica) installing() bool {
	return r.install != nil && !r.cfg.bugs.ExecuteWhileInstalling
}

// startInstall hands the fetched checkpoint of f to the driver.
func (r *Replica) startInstall(f *fetchState) {
	if r.install != nil {
		panic(fmt.Sprintf("core: replica %d: two installs at once", r.index))
	}
	in := &Install{Op: f.op, Size: f.size, After: f.after, InState: f.inState,
		sm: r.sm, maxSessions: r.cfg.MaxSessions, bugs: r.cfg.bugs}
	r.install, r.out.Install = in, in
}

// Installed takes back the Install of the last Output that carried one,
// once the driver ran it (Install.Run or Fail). On success the restored
// state is the replica's: it executes from Op on. Call Output afterwards.
func (r *Replica) Installed(in *Install) {
	if in != r.install || !in.ran {
		panic(fmt.Sprintf("core: replica %d: Installed with an Install it did not ask for", r.index))
	}
	r.install = nil
	attempt := r.fetch.attempt
	if errors.Is(in.err, errRestoredBad) {
		panic(fmt.Sprintf("core: replica %d: verified checkpoint at op %d: %v", r.index, in.Op, in.err))
	}
	if in.err != nil || in.Op <= r.executed {
		// Try elsewhere at the next retry. A driver that could not
		// assemble a chain on its own of After gets a whole one next.
		r.fetch = fetchState{active: true, lastSent: r.now, attempt: attempt + 1, whole: in.failed || in.InState, from: r.fetch.from}
		r.assertInvariants()
		return
	}
	r.fetch.reset()
	// The state at Op is the committed prefix 1..Op, whatever happened to
	// the log meanwhile: a base that moved past Op only means the replica
	// still lacks the state at its base, and fetches again.
	r.adoptRestored(in.Op, in.sessions)
	r.afterRestore()
	r.counters.CheckpointFetches++
	r.execute()
	r.maybeFetchCheckpoint()
	r.assertInvariants()
}

// fetchChunk passes an accepted chunk to the driver, which stores it.
func (r *Replica) fetchChunk(m *message.CheckpointChunk) {
	r.out.FetchChunks = append(r.out.FetchChunks, m)
}
