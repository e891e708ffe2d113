package sim

import (
	"bytes"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
)

// A replica's checkpoints are written in the background, as the node's
// goroutine does (node/ckptwriter.go): Save starts a write that completes
// after a simulated delay of up to maxCkptWrite, and only then are the
// bytes produced (Checkpoint.WriteTo, from the snapshot taken at the
// checkpoint's op while the replica executed on), made durable on the disk
// in durable mode, served to peers, and reported to the replica, whose log
// may then shrink. One write at a time: a checkpoint due while one is
// being written is skipped. Everything is driven by the run's clock and
// PRNG, so a seed replays exactly.

// maxCkptWrite is the longest simulated checkpoint write, in µs.
const maxCkptWrite = 20_000

// replicaCkpts is the state of a replica's checkpoint writer; it starts
// afresh with each incarnation (the disk keeps the durable checkpoint).
type replicaCkpts struct {
	busy bool
	held []driver.Held // newest first, at most two
}

// simCheckpoints is a replica's checkpoint writer as driver.Checkpoints.
type simCheckpoints struct {
	r   *run
	rep *replica
}

// Save schedules the write of ck, unless one is running.
func (s simCheckpoints) Save(ck *core.Checkpoint, _ core.HardState) {
	r, rep := s.r, s.rep
	if rep.ckpts.busy {
		r.res.CheckpointsSkipped++
		return
	}
	rep.ckpts.busy = true
	at := r.now + r.between(1, maxCkptWrite)
	r.schedule(at, event{kind: evCkptSaved, node: rep.idx, inc: rep.inc, ckpt: ck})
	if rep.disk != nil && r.chance(r.opts.Faults.CrashInCheckpoint) {
		// A crash of every replica while this checkpoint is written.
		r.schedule(r.between(r.now, at), event{kind: evClusterCrash, node: oneShot})
	}
}

// Held returns the saved checkpoints.
func (s simCheckpoints) Held() []driver.Held { return s.rep.ckpts.held }

// ckptSaved completes a checkpoint write: the bytes are written now, from
// the snapshot taken at the checkpoint's op.
func (r *run) ckptSaved(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc {
		return // lost with the crash
	}
	if r.busy(rep) { // its loop is stuck in a slow step
		r.schedule(rep.busyUntil, e)
		return
	}
	var b bytes.Buffer
	if _, err := e.ckpt.WriteTo(&b); err != nil {
		panic(err) // a kv snapshot written to memory cannot fail
	}
	rep.ckpts.busy = false
	r.holdCkpt(rep, e.ckpt.Op, b.Bytes())
	if d := rep.disk; d != nil && (d.ckpt == nil || d.ckpt.Op < e.ckpt.Op) {
		d.ckpt = core.CheckpointBytes(e.ckpt.Op, b.Bytes())
	}
	r.res.CheckpointsSaved++
	rep.drv.CheckpointSaved(e.ckpt.Op)
}

// hold adds a saved checkpoint to those rep serves.
func (r *run) holdCkpt(rep *replica, op uint64, data []byte) {
	h := driver.Held{Op: op, Size: uint64(len(data)), Data: bytes.NewReader(data)}
	rep.ckpts.held = append([]driver.Held{h}, rep.ckpts.held...)[:min(2, len(rep.ckpts.held)+1)]
}

// holdDurable serves, after a restart from the disk, the checkpoint the
// disk holds.
func (r *run) holdDurable(rep *replica) {
	if rep.disk == nil || rep.disk.ckpt == nil {
		return
	}
	var b bytes.Buffer
	if _, err := rep.disk.ckpt.WriteTo(&b); err != nil {
		panic(err)
	}
	r.holdCkpt(rep, rep.disk.ckpt.Op, b.Bytes())
}
