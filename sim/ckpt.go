package sim

import (
	"bytes"
	"io"
	"slices"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/message"
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
	busy bool
	hs   core.HardState // of the Output whose checkpoint is being written
	// reported: the running write's checkpoint was reported saved when it
	// was kept (lazy), so its finish reports nothing.
	reported bool
	// lazy keeps a diskless replica's checkpoints unwritten while no peer
	// fetches one, as the node's writer does (driver.LazySaves).
	lazy    driver.LazySaves
	pending *pendingCkpt  // waits for the running write (as the node's)
	held    []driver.Held // newest first, at most two
	// links are the bytes of the files of the newest checkpoint's chain
	// (storage/chain.go), base first; chain decides, diskless, whether the
	// next is a delta (durable: the storage's own chain decides).
	links []simLink
	// older are the deltas of the chain before the last background base,
	// up to the one of its op (storage.Chain.Older), served to peers
	// whose chain ends in them.
	older []simLink
	chain *storage.Chain
	// fetched are the chunks of the checkpoint being fetched
	// (install.go).
	fetched []byte
	// installing: the driver installs a fetched checkpoint, and the
	// replica must not touch its state machine (checkInstalling).
	installing bool
}

// simLink is one link of a chain, in memory.
type simLink struct {
	op   uint64
	data []byte
}

// pendingCkpt is a checkpoint that waits for the running write.
type pendingCkpt struct {
	ck       *core.Checkpoint
	hs       core.HardState
	reported bool
}

// simCheckpoints is a replica's checkpoint writer as driver.Checkpoints.
type simCheckpoints struct {
	r   *run
	rep *replica
}

// Save saves ck: while a diskless replica's saver is idle, by keeping it
// and reporting it saved at once (driver.LazySaves); otherwise by writing
// it (save).
func (s simCheckpoints) Save(ck *core.Checkpoint, hs core.HardState) {
	r, rep := s.r, s.rep
	if rep.ckpts.lazy.Keep(r.clock(), ck, hs) {
		r.res.CheckpointsKept++
		// Reported after the step, as the node's loop does after an
		// iteration (node.reportLazySaves), not from within the Flush.
		r.schedule(r.now, event{kind: evCkptKept, node: rep.idx, inc: rep.inc})
		return
	}
	s.save(ck, hs, false)
}

// Asked tells a diskless replica's saver that a peer fetches a checkpoint
// (driver.Asked): an idle saver writes the newest it kept, and the next
// ones for a while.
func (s simCheckpoints) Asked(m *message.GetCheckpoint) {
	if ck, hs, ok := s.rep.ckpts.lazy.Asked(s.r.clock()); ok {
		s.r.logf("replica %d: checkpoint at op %d wanted by replica %d: written now", s.rep.idx, ck.Op, m.Replica)
		s.r.res.CheckpointsWanted++
		s.save(ck, hs, true)
	}
}

// save schedules the write of ck, unless one is running.
func (s simCheckpoints) save(ck *core.Checkpoint, hs core.HardState, reported bool) {
	r, rep := s.r, s.rep
	if rep.ckpts.busy {
		if p := rep.ckpts.pending; p != nil {
			r.res.CheckpointsSkipped++
			ck.Absorb(p.ck) // as the node's writer
		}
		rep.ckpts.pending = &pendingCkpt{ck: ck, hs: hs, reported: reported}
		return
	}
	rep.ckpts.busy, rep.ckpts.hs, rep.ckpts.reported = true, hs, reported
	at := r.now + r.between(1, maxCkptWrite)
	r.schedule(at, event{kind: evCkptSaved, node: rep.idx, inc: rep.inc, ckpt: ck})
	if rep.disk != nil && r.chance(r.opts.Faults.CrashInCheckpoint) {
		// A crash of every replica while this checkpoint is written.
		r.schedule(r.between(r.now, at), event{kind: evClusterCrash, node: oneShot})
	}
}

// ckptKept reports the checkpoints rep's idle saver kept to its replica,
// whose log may then shrink, once its loop is free.
func (r *run) ckptKept(e event) {
	rep := r.replicas[e.node]
	if !r.loopDue(rep, e) {
		return
	}
	for ops := rep.ckpts.lazy.TakeSaved(); len(ops) > 0; ops = rep.ckpts.lazy.TakeSaved() {
		for _, op := range ops {
			rep.drv.CheckpointSaved(op)
		}
	}
}

// clock is the run's time as the savers' clock (driver.LazySaves).
func (r *run) clock() time.Duration { return time.Duration(r.now) * time.Microsecond }

// loopDue reports whether e, a completion that rep's loop handles (a
// checkpoint saved, an install run), runs now: not if rep crashed since
// (it is lost with the crash), nor while rep's loop is stuck in a slow
// step (it is put off until the step ends).
func (r *run) loopDue(rep *replica, e event) bool {
	if !rep.up || rep.inc != e.inc {
		return false
	}
	if r.busy(rep) {
		r.schedule(rep.busyUntil, e)
		return false
	}
	return true
}

// Held returns the saved checkpoints.
func (s simCheckpoints) Held() []driver.Held { return s.rep.ckpts.held }

// ckptSaved runs a checkpoint write when its delay is over: the bytes are
// produced now, from the snapshot taken at the checkpoint's op, as the
// next link of the replica's checkpoint chain (a delta, or a new base).
// Diskless, the write is done; durable, the storage writes the link's file
// and the superblock on the simulated disk (as the node's writer goroutine
// does), and the checkpoint is saved once the disk's barriers complete.
func (r *run) ckptSaved(e event) {
	rep := r.replicas[e.node]
	if !r.loopDue(rep, e) {
		return
	}
	var b bytes.Buffer
	b.Grow(rep.ckptSize + rep.ckptSize/4) // the last one's size, and room to grow
	op, d := e.ckpt.Op, rep.disk
	if d == nil {
		if rep.ckpts.chain == nil {
			rep.ckpts.chain = &storage.Chain{}
		}
		p := rep.ckpts.chain.Plan(e.ckpt)
		write := e.ckpt.WriteTo
		if p.Delta {
			write = e.ckpt.WriteDeltaTo
		}
		if _, err := write(&b); err != nil {
			panic(err) // a kv snapshot written to memory cannot fail
		}
		rep.ckptSize = b.Len()
		rep.ckpts.chain.Add(storage.Link{Op: op, Size: uint64(b.Len()), Delta: p.Delta})
		r.countDelta(p.Delta)
		r.startBase(rep, e.ckpt, p.Rebase)
		r.finishCkpt(rep, op, r.linkCkpt(rep, op, p.Delta, b.Bytes()))
		return
	}
	// The storage tees the bytes it writes: no second encoding.
	w, err := d.st.WriteCheckpoint(e.ckpt, rep.ckpts.hs, &b)
	if err != nil {
		r.stopOnDiskError(rep, err) // as `vr server` stops
		return
	}
	delta := w.Links[len(w.Links)-1].Delta
	r.countDelta(delta)
	links := r.linkCkpt(rep, op, delta, b.Bytes())
	inc := rep.inc
	r.diskWait(rep, func() {
		if rep.up && rep.inc == inc {
			r.startBase(rep, e.ckpt, w.Rebase)
			r.finishCkpt(rep, op, links)
		}
	})
}

func (r *run) countDelta(delta bool) {
	if delta {
		r.res.CheckpointDeltas++
	}
}

// startBase schedules the background write of a new base of ck (the
// writer's second lane, storage/chain.go), if the chain asked for one.
func (r *run) startBase(rep *replica, ck *core.Checkpoint, rebase bool) {
	if rebase {
		at := r.now + r.between(1, 4*maxCkptWrite)
		r.schedule(at, event{kind: evBaseSaved, node: rep.idx, inc: rep.inc, ckpt: ck})
	}
}

// baseSaved runs a background base write when its delay is over: the
// storage writes it (durable: on the simulated disk; a failure is only
// logged, as the node does) and the chain switches to it.
func (r *run) baseSaved(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc {
		return // lost with the crash
	}
	var b bytes.Buffer
	op, d := e.ckpt.Op, rep.disk
	if d == nil {
		if _, err := e.ckpt.WriteTo(&b); err != nil {
			panic(err)
		}
		rep.ckpts.chain.BaseDone(storage.Link{Op: op, Size: uint64(b.Len())}, true)
		r.res.CheckpointBases++
		r.switchBase(rep, op, b.Bytes())
		return
	}
	if _, err := d.st.WriteBase(e.ckpt, &b); err != nil {
		r.logf("replica %d: checkpoint base at op %d not written: %v", rep.idx, op, err)
		return
	}
	r.res.CheckpointBases++
	inc := rep.inc
	r.diskWait(rep, func() {
		if rep.up && rep.inc == inc {
			r.switchBase(rep, op, b.Bytes())
		}
	})
}

// switchBase makes the in-memory chain start at the base of op, if it
// still holds a link at op.
func (r *run) switchBase(rep *replica, op uint64, data []byte) {
	for i, l := range rep.ckpts.links {
		if l.op == op {
			rep.ckpts.older = nil
			if i > 0 {
				rep.ckpts.older = slices.Clone(rep.ckpts.links[1 : i+1])
			}
			rep.ckpts.links = append([]simLink{{op, data}}, rep.ckpts.links[i+1:]...)
			return
		}
	}
}

// linkCkpt adds the bytes of a link just written to the replica's chain
// and returns the chain's.
func (r *run) linkCkpt(rep *replica, op uint64, delta bool, data []byte) []simLink {
	if !delta {
		rep.ckpts.links, rep.ckpts.older = nil, nil
	}
	rep.ckpts.links = append(slices.Clip(rep.ckpts.links), simLink{op, data})
	return rep.ckpts.links
}

// finishCkpt makes the checkpoint at op saved: served to peers, recorded
// as durable by the storage (durable mode), and reported to the replica,
// whose log may then shrink.
func (r *run) finishCkpt(rep *replica, op uint64, links []simLink) {
	rep.ckpts.busy = false
	reported := rep.ckpts.reported
	defer func() {
		if p := rep.ckpts.pending; p != nil && rep.up {
			rep.ckpts.pending = nil
			simCheckpoints{r, rep}.save(p.ck, p.hs, p.reported)
		}
	}()
	r.holdCkpt(rep, op, links)
	if d := rep.disk; d != nil {
		var keep []string
		for _, h := range rep.ckpts.held {
			keep = append(keep, h.Data.(chainBytes).names...)
		}
		d.st.CheckpointWritten(op, keep...)
	}
	r.res.CheckpointsSaved++
	if !reported { // a kept one was reported when it was taken
		rep.drv.CheckpointSaved(op)
	}
}

// stopOnDiskError stops rep after its storage failed outside a Persist
// (a checkpoint write), as `vr server` exits, and schedules its restart.
func (r *run) stopOnDiskError(rep *replica, err error) {
	r.logf("replica %d stops: %v", rep.idx, err)
	r.crash(rep)
	fc := &r.opts.Faults
	r.schedule(r.now+r.between(us(fc.MinDowntime), us(fc.MaxDowntime)), event{kind: evRestart, node: rep.idx, inc: rep.inc})
}

// holdCkpt adds a saved checkpoint, the chain of links, to those rep
// serves. Durable, it names the chain's files as the storage holds them.
func (r *run) holdCkpt(rep *replica, op uint64, links []simLink) {
	c := chainBytes{}
	for _, l := range links {
		c.links = append(c.links, l.data)
	}
	if d := rep.disk; d != nil {
		for _, l := range d.st.Chain() {
			c.names = append(c.names, l.Name)
		}
	}
	for _, l := range c.links {
		c.size += int64(len(l))
	}
	h := driver.Held{Op: op, Size: uint64(c.size), Data: c, Links: heldLinks(links)}
	if older := rep.ckpts.older; len(older) > 0 && len(links) > 0 && links[0].op == older[len(older)-1].op {
		o := append(slices.Clone(older), links[1:]...)
		ob := chainBytes{}
		for _, l := range o {
			ob.links = append(ob.links, l.data)
			ob.size += int64(len(l.data))
		}
		h.Older = &driver.Held{Op: op, Size: uint64(ob.size), Data: ob, Links: heldLinks(o)}
	}
	rep.ckpts.held = append([]driver.Held{h}, rep.ckpts.held...)[:min(2, len(rep.ckpts.held)+1)]
}

// chainBytes is a held checkpoint: its chain's links, read as one.
type chainBytes struct {
	links [][]byte
	names []string // durable: the files that hold them
	size  int64
}

// ReadAt reads the concatenated links.
func (c chainBytes) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, l := range c.links {
		if len(p) == 0 {
			break
		}
		if off >= int64(len(l)) {
			off -= int64(len(l))
			continue
		}
		k := copy(p, l[off:])
		n, p, off = n+k, p[k:], 0
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
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
	rep.ckpts.links = splitLinks(d.Checkpoint.Op, rep.disk.st.Chain(), b.Bytes())
	r.holdCkpt(rep, d.Checkpoint.Op, rep.ckpts.links)
}
