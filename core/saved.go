package core

import "fmt"

// A checkpoint the replica takes is written by the driver, off the step
// (node: a goroutine; the simulator: a simulated delay). The log below a
// checkpoint may go only once that checkpoint is saved: durable in durable
// mode, or readable for serving in diskless mode. Otherwise a crash (or a
// peer that needs the state) could find neither the ops nor a checkpoint
// covering them (sim.Options.TruncateBeforeCheckpoint plants exactly that).
// So the replica truncates its log only when the driver reports a save, and
// truncateLog asserts it.

// CheckpointSaved tells the replica that the checkpoint at op, which an
// Output carried, is saved: durable in durable mode, and in both modes
// held by the driver to serve to peers (GetCheckpoint). The replica then
// drops its log up to the saved checkpoint before this one, so that a
// backup that lags by less than an interval still gets log entries. A
// driver that declined to save a checkpoint (one write at a time) never
// reports it. Call Output afterwards: LogBase may have moved.
func (r *Replica) CheckpointSaved(op uint64) {
	if op <= r.saved[0] || op > r.executed {
		return // stale (an older write finishing late) or unknown
	}
	r.saved = [2]uint64{op, r.saved[0]}
	r.truncateLog(r.cutLimit(r.saved[1]))
	r.resumeLogFetch()
	r.assertInvariants()
}

// assertSaved panics unless a saved checkpoint covers the ops up to op.
func (r *Replica) assertSaved(op uint64) {
	if op > r.saved[0] {
		panic(fmt.Sprintf("core: replica %d truncating its log to %d above its newest saved checkpoint %d",
			r.index, op, r.saved[0]))
	}
}
