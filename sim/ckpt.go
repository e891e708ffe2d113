package sim

import (
	"bytes"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/storage"
)

// A replica's checkpoints are written in the background, as the node's
// goroutine does (node/ckptwriter.go): Save starts a write that completes
// after a simulated delay of up to maxCkptWrite, and only then are the
// bytes produced (Checkpoint.WriteTo, from the snapshot taken at the
// checkpoint's op while the replica executed on), made durable on the disk
// in durable mode, served to peers, and reported to the replica, whose log
// may then shrink. One write at a time: a checkpoint due while one is
// being written waits, and a newer one replaces it. Everything is driven
// by the run's clock and PRNG, so a seed replays exactly.

// maxCkptWrite is the longest simulated checkpoint write, in µs.
const maxCkptWrite = 20_000

// replicaCkpts is the state of a replica's checkpoint writer; it starts
// afresh with each incarnation (the disk keeps the durable checkpoint).
type replicaCkpts struct {
	busy    bool
	hs      core.HardState // of the Output whose checkpoint is being written
	pending *pendingCkpt   // waits for the running write (as the node's)
	held    []driver.Held  // newest first, at most two
}

// pendingCkpt is a checkpoint that waits for the running write.
type pendingCkpt struct {
	ck *core.Checkpoint
	hs core.HardState
}

// simCheckpoints is a replica's checkpoint writer as driver.Checkpoints.
type simCheckpoints struct {
	r   *run
	rep *replica
}

// Save schedules the write of ck, unless one is running.
func (s simCheckpoints) Save(ck *core.Checkpoint, hs core.HardState) {
	r, rep := s.r, s.rep
	if rep.ckpts.busy {
		if rep.ckpts.pending != nil {
			r.res.CheckpointsSkipped++
		}
		rep.ckpts.pending = &pendingCkpt{ck: ck, hs: hs}
		return
	}
	rep.ckpts.busy, rep.ckpts.hs = true, hs
	at := r.now + r.between(1, maxCkptWrite)
	r.schedule(at, event{kind: evCkptSaved, node: rep.idx, inc: rep.inc, ckpt: ck})
	if rep.disk != nil && r.chance(r.opts.Faults.CrashInCheckpoint) {
		// A crash of every replica while this checkpoint is written.
		r.schedule(r.between(r.now, at), event{kind: evClusterCrash, node: oneShot})
	}
}

// Held returns the saved checkpoints.
func (s simCheckpoints) Held() []driver.Held { return s.rep.ckpts.held }

// ckptSaved runs a checkpoint write when its delay is over: the bytes are
// produced now, from the snapshot taken at the checkpoint's op. Diskless,
// the write is done; durable, the storage writes the checkpoint file and
// the superblock on the simulated disk (as the node's writer goroutine
// does), and the checkpoint is saved once the disk's barriers complete.
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
	b.Grow(rep.ckptSize + rep.ckptSize/4) // the last one's size, and room to grow
	if _, err := e.ckpt.WriteTo(&b); err != nil {
		panic(err) // a kv snapshot written to memory cannot fail
	}
	op, data := e.ckpt.Op, b.Bytes()
	rep.ckptSize = len(data)
	d := rep.disk
	if d == nil {
		r.finishCkpt(rep, op, data)
		return
	}
	// The bytes just produced, not a second encoding of the snapshot.
	if _, err := d.st.WriteCheckpoint(core.CheckpointBytes(op, data), rep.ckpts.hs); err != nil {
		r.stopOnDiskError(rep, err) // as `vr server` stops
		return
	}
	inc := rep.inc
	r.diskWait(rep, func() {
		if rep.up && rep.inc == inc {
			r.finishCkpt(rep, op, data)
		}
	})
}

// finishCkpt makes the checkpoint at op saved: served to peers, recorded
// as durable by the storage (durable mode), and reported to the replica,
// whose log may then shrink.
func (r *run) finishCkpt(rep *replica, op uint64, data []byte) {
	rep.ckpts.busy = false
	defer func() {
		if p := rep.ckpts.pending; p != nil && rep.up {
			rep.ckpts.pending = nil
			simCheckpoints{r, rep}.Save(p.ck, p.hs)
		}
	}()
	r.holdCkpt(rep, op, data)
	if d := rep.disk; d != nil {
		keep := make([]string, len(rep.ckpts.held))
		for i, h := range rep.ckpts.held {
			keep[i] = storage.CheckpointFile(h.Op)
		}
		d.st.CheckpointWritten(op, keep...)
	}
	r.res.CheckpointsSaved++
	rep.drv.CheckpointSaved(op)
}

// stopOnDiskError stops rep after its storage failed outside a Persist
// (a checkpoint write), as `vr server` exits, and schedules its restart.
func (r *run) stopOnDiskError(rep *replica, err error) {
	r.logf("replica %d stops: %v", rep.idx, err)
	r.crash(rep)
	fc := r.opts.Faults
	r.schedule(r.now+r.between(us(fc.MinDowntime), us(fc.MaxDowntime)), event{kind: evRestart, node: rep.idx, inc: rep.inc})
}

// hold adds a saved checkpoint to those rep serves.
func (r *run) holdCkpt(rep *replica, op uint64, data []byte) {
	h := driver.Held{Op: op, Size: uint64(len(data)), Data: bytes.NewReader(data)}
	rep.ckpts.held = append([]driver.Held{h}, rep.ckpts.held...)[:min(2, len(rep.ckpts.held)+1)]
}

// holdDurable serves, after a restart from the disk, the checkpoint the
// disk holds (the storage verified it when it opened). A read that fails
// (an injected EIO) leaves it unserved, as the node's writer does when it
// cannot open the file: peers fetch it elsewhere, or a later one.
func (r *run) holdDurable(rep *replica, d *core.Durable) {
	if d.Checkpoint == nil {
		return
	}
	var b bytes.Buffer
	if _, err := d.Checkpoint.WriteTo(&b); err != nil {
		r.logf("replica %d cannot serve its checkpoint at op %d: %v", rep.idx, d.Checkpoint.Op, err)
		return
	}
	r.holdCkpt(rep, d.Checkpoint.Op, b.Bytes())
}
