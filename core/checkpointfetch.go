package core

import (
	"hash/crc32"

	"github.com/vr-go/vr/message"
)

// A replica whose log starts above what it executed (executed < base) took
// a log from a replica that had truncated it: after a view change, a
// StartView, a recovery or a state transfer. It keeps taking part in the
// protocol, since the log is all that needs, but it executes nothing until
// it installed a checkpoint at an op in [base, commit]. Every replica
// checkpoints at the same ops and keeps its newest two checkpoints, so the
// replica whose log it took holds the one at base until the cluster has
// moved on by two intervals, by which time this replica's commit-number has
// grown and newer checkpoints fit the range too.
//
// The checkpoint comes in chunks of CheckpointChunk bytes, each with its own
// CRC32C, resumable from the last byte received, from any replica that holds
// the same checkpoint; the assembled checkpoint checks its own checksum
// before it is installed. The replica asks; the drivers answer, from the
// checkpoints they saved (driver/serve.go), since the replica keeps no
// checkpoint bytes.

// maxCheckpointSize bounds the size a chunk may announce, so a bad chunk
// cannot make the replica allocate without bound.
const maxCheckpointSize = 1 << 36

// fetchState tracks one checkpoint fetch. The replica keeps none of the
// bytes: each chunk it accepts goes to the driver (install.go).
type fetchState struct {
	active   bool
	from     uint8  // the id of the replica asked last
	op       uint64 // the checkpoint being assembled; 0 until the first chunk
	size     uint64
	after    uint64 // the chunks continue the driver's chain of after (0: whole)
	inState  bool   // ... or the state machine's state, at after
	got      uint64 // bytes accepted, and passed to the driver
	whole    bool   // ask for a whole chain, not the records after a saved one
	lastSent uint64
	attempt  int
	stalls   int // retries since the last chunk arrived
}

func (f *fetchState) reset() { *f = fetchState{} }

// needsCheckpoint reports whether the replica lacks the state at its base,
// or its driver is installing a checkpoint into the state machine
// (install.go). A witness never does: it holds no state.
func (r *Replica) needsCheckpoint() bool {
	return !r.witness && (r.executed < r.base || r.installing())
}

// maybeFetchCheckpoint starts or retries a fetch while one is needed.
func (r *Replica) maybeFetchCheckpoint() {
	if r.install != nil {
		return // the driver installs what was fetched; Installed resumes
	}
	if !r.needsCheckpoint() || r.status == StatusRecovering || r.n == 1 {
		if r.fetch.active {
			r.fetch.reset()
		}
		return
	}
	if r.fetch.active && r.now-r.fetch.lastSent < r.fetchPatience() {
		return
	}
	if r.fetch.active {
		// No answer: ask the next replica. Every replica checkpoints at the
		// same ops, so it likely holds a checkpoint of the same op and the
		// fetch resumes where it stopped — if its chain of deltas is the
		// same (delta.go); a chunk of another size is ignored, and once
		// every replica was tried without progress, the partial
		// checkpoint is dropped.
		f := r.fetch
		r.fetch = fetchState{attempt: f.attempt + 1, stalls: f.stalls + 1, whole: f.whole}
		if f.stalls+1 < len(r.full) {
			r.fetch.op, r.fetch.size, r.fetch.after, r.fetch.got, r.fetch.inState = f.op, f.size, f.after, f.got, f.inState
		}
	}
	r.fetch.active = true
	r.fetch.from = r.fetchSource()
	r.requestChunk()
}

// fetchPatience is how long a fetch waits for a chunk before it asks the
// next replica: RetryTicks, doubled for every retry in a row without a
// chunk, up to the base view-change timeout (see retryGap).
func (r *Replica) fetchPatience() uint64 {
	wait := uint64(r.cfg.RetryTicks)
	if r.cfg.bugs.RetransmitEveryRetry {
		return wait
	}
	return min(wait<<min(r.fetch.stalls, 8), max(uint64(r.cfg.ViewChangeTicks), wait))
}

// requestChunk asks the current source for the next chunk.
func (r *Replica) requestChunk() {
	r.fetch.lastSent = r.now
	r.sendTo(r.fetch.from, &message.GetCheckpoint{
		Replica: r.id, MinOp: r.base, MaxOp: r.commit,
		Op: r.fetch.op, Offset: r.fetch.got, After: r.fetchAfter(),
	})
}

// fetchAfter is the op of the checkpoint whose chain the driver holds and
// the fetch continues: the fetch's, once its first chunk came; before, the
// state machine's own state if it is the state at a checkpoint (the
// replica installed one, or took one, and executed nothing since) and the
// state machine applies deltas; else the newest checkpoint saved (0: none,
// or the whole chain is wanted).
func (r *Replica) fetchAfter() uint64 {
	if r.fetch.op != 0 {
		return r.fetch.after
	}
	if r.fetch.whole {
		return 0
	}
	if r.deltasInState() {
		return r.executed
	}
	return r.saved[0]
}

// deltasInState reports whether fetched deltas may apply to the state
// machine as it is: it holds the state at the replica's newest checkpoint.
func (r *Replica) deltasInState() bool {
	_, ok := r.sm.(DeltaStateMachine)
	return ok && r.executed != 0 && r.executed == r.ckpt.Op && r.executed >= r.saved[0]
}

// onCheckpointChunk adds a chunk to the checkpoint being fetched and
// installs it once complete.
func (r *Replica) onCheckpointChunk(m *message.CheckpointChunk) {
	f := &r.fetch
	// A chunk from a replica asked earlier is as good as one from the
	// replica asked last: checkpoints at one op are the same bytes
	// everywhere, and each chunk and the whole carry checksums. Dropping
	// them livelocked a fetch whose chunks took longer than RetryTicks to
	// arrive: each answer came from the replica asked before the last.
	if !f.active || !r.needsCheckpoint() ||
		crc32.Checksum(m.Data, castagnoli) != m.Checksum || m.Size > maxCheckpointSize {
		return
	}
	if r.continuesFetch(m) {
		// The source replaced the checkpoint by a newer one of the same
		// chain, whose bytes begin with those assembled (driver/serve.go):
		// the fetch goes on in it.
		f.op, f.size = m.Op, m.Size
	}
	if f.op == 0 || r.newerCheckpoint(m) {
		if m.Offset != 0 || m.Op < r.base || m.Op > r.commit || (m.After != 0 && m.After != r.fetchAfter()) {
			return
		}
		// A first chunk: the driver's installer starts over at offset 0
		// (a move to a newer checkpoint drops what was assembled).
		f.op, f.size, f.after, f.got = m.Op, m.Size, m.After, 0
		f.inState = m.After != 0 && m.After == r.executed && r.deltasInState()
	}
	if m.Op != f.op || m.Size != f.size || m.After != f.after || m.Offset != f.got ||
		uint64(len(m.Data)) > f.size-m.Offset || (len(m.Data) == 0 && m.Offset < f.size) {
		return
	}
	r.fetchChunk(m)
	f.got += uint64(len(m.Data))
	f.stalls = 0
	if f.got < f.size {
		r.requestChunk()
		return
	}
	from := f.from
	r.startInstall(f)
	f.reset()
	// The source stays set: should the install fail, a first chunk that
	// arrives before the next retry asks it for the next one (with the
	// reset's zero, replica 0 asked itself: a panic, bandwidth seed 92622).
	f.from = from
}

// newerCheckpoint reports whether m starts a checkpoint newer than the one
// being fetched: the fetch then moves to it, dropping what it assembled.
// Replicas keep their newest two checkpoints, so a fetch slower than two
// checkpoint intervals asks for one that no replica holds any more; a
// replica asked for it answers with the first chunk of its newest one in
// the range (driver/serve.go). Before, such a fetch waited a retry at every
// replica before it started again, and a newer checkpoint that arrived
// whole meanwhile was ignored (plant FetchPinned; profile bandwidth, seed
// 90052).
func (r *Replica) newerCheckpoint(m *message.CheckpointChunk) bool {
	return m.Offset == 0 && m.Op > r.fetch.op && !r.cfg.bugs.FetchPinned
}

// continuesFetch reports whether m continues the fetch under way in a newer
// checkpoint: from the replica asked last, at the offset the fetch
// reached, for the same chain (After), and no later than the commit-number.
// A fetch slower than a checkpoint interval used to start over at every
// newer checkpoint and, under load, never ended (plant FetchRestarts).
func (r *Replica) continuesFetch(m *message.CheckpointChunk) bool {
	f := &r.fetch
	return f.op != 0 && m.Op > f.op && m.Offset == f.got && m.Offset > 0 && m.After == f.after &&
		m.Replica == f.from && m.Op <= r.commit && m.Size > m.Offset && !r.cfg.bugs.FetchRestarts && !r.cfg.bugs.FetchPinned
}

// fetchSource returns the id to ask for a checkpoint on this attempt: the
// full replicas of the configuration in turn (stateSource), and, in an
// epoch that began by a RECONFIGURATION, every other attempt a full
// replica of the previous configuration that left it. Those keep the
// epoch's first checkpoint until f'+1 members started; a member that
// restarted from its disk before its copy of that checkpoint was durable
// may find no other replica with it (all members joined, then crashed
// together).
func (r *Replica) fetchSource() uint8 {
	var leaving []uint8
	for _, i := range r.ep.prev.full() {
		if id := r.ep.prev.ID(i); r.members.IndexOf(id) < 0 {
			leaving = append(leaving, id)
		}
	}
	if len(leaving) > 0 && r.fetch.attempt%2 == 1 {
		return leaving[(r.fetch.attempt/2)%len(leaving)]
	}
	return r.members.ID(r.stateSource(r.view, &r.fetch.attempt))
}
