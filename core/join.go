package core

import (
	"fmt"
	"hash/crc32"
	"math"

	"github.com/vr-go/vr/message"
)

// Joining an epoch by state transfer: a replica that learned (StartEpoch)
// that it is a member of a later epoch fetches a checkpoint of that epoch
// at or above its first op, in chunks, and enters the epoch when it
// installed it (see reconfig.go).

// joinState is a replica fetching the state at the first op of a later
// epoch it is a member of.
type joinState struct {
	epoch    uint64
	op       uint64 // the epoch's first op
	ckptOp   uint64 // the checkpoint being assembled (at or above op); 0 until its first chunk
	members  Membership
	prev     Membership
	source   int // attempt counter over the sources
	lastSent uint64
	size     uint64
	buf      []byte
	stalls   int
}

// newJoiner returns a replica that is a member of no configuration yet.
func newJoiner(cfg Config, sm StateMachine) *Replica {
	r := newReplica(cfg, sm, cfg.JoinID)
	r.setMembers(Membership{})
	r.status = StatusTransitioning
	// A joiner that lost its state may have been a member of the epoch it
	// joins, and promised things there: it recovers once it joined. Until
	// then it lost its state (LostState): durable mode writes nothing.
	r.recoverAfterJoin = cfg.Recovering
	return r
}

// validateJoin checks a joiner's configuration.
func (c Config) validateJoin() error {
	if c.HeartbeatTicks < 1 || c.ViewChangeTicks <= c.HeartbeatTicks || c.RetryTicks < 1 || c.MaxSessions < 1 ||
		c.MaxBatch < 1 || c.CheckpointChunk < 1 || c.LeaseTicks < 1 {
		return fmt.Errorf("%w: bad timers or bounds", ErrBadConfig)
	}
	return c.validateBytes()
}

// startJoin starts fetching the checkpoint at op, the first state of the
// epoch next, from its members and those of prev.
func (r *Replica) startJoin(next Membership, op uint64, prev Membership) {
	if r.sm == nil {
		return // a witness named a full replica: it has no state machine
	}
	r.status = StatusTransitioning
	r.join = joinState{epoch: next.Epoch, op: op, members: next, prev: prev}
	r.requestJoinChunk()
}

// joinSources are the ids that may serve the state at the joined epoch's
// first op: the full replicas of the new configuration, then those of the
// previous one that leave, then the new configuration's standbys (they
// executed the RECONFIGURATION too; the driver serves only a checkpoint
// saved at or above the epoch's first op, so one that answers holds it).
func (r *Replica) joinSources() []uint8 {
	var ids []uint8
	for _, i := range r.join.members.full() {
		if id := r.join.members.ID(i); id != r.id {
			ids = append(ids, id)
		}
	}
	for _, i := range r.join.prev.full() {
		if id := r.join.prev.ID(i); id != r.id && r.join.members.IndexOf(id) < 0 {
			ids = append(ids, id)
		}
	}
	for _, i := range r.join.members.Standbys() {
		if id := r.join.members.ID(i); id != r.id {
			ids = append(ids, id)
		}
	}
	if r.cfg.bugs.WitnessServesState {
		for _, i := range r.join.members.Witnesses() {
			ids = append(ids, r.join.members.ID(i))
		}
	}
	return ids
}

// requestJoinChunk asks the next source for the next chunk.
func (r *Replica) requestJoinChunk() {
	ids := r.joinSources()
	if len(ids) == 0 {
		return
	}
	j := &r.join
	j.lastSent = r.now
	r.sendTo(ids[j.source%len(ids)], &message.GetCheckpoint{
		Replica: r.id, MinOp: j.op, MaxOp: math.MaxUint64, Op: j.ckptOp, Offset: uint64(len(j.buf)),
	})
}

// tickJoin retries a join whose source did not answer: the next source,
// from the same offset (checkpoints of one op are usually the same bytes
// everywhere; a chunk of another size starts over).
func (r *Replica) tickJoin() {
	j := &r.join
	if j.epoch == 0 {
		r.announceJoiner()
		return
	}
	// Sources are cheap to ask and many cannot answer (members joining
	// too, or down): the next one is asked after RetryTicks, and after
	// every source was tried, twice as late, up to 4 times.
	wait := uint64(r.cfg.RetryTicks) << min(j.stalls/max(1, len(r.joinSources())), 2)
	if r.now-j.lastSent < wait {
		return
	}
	j.stalls++
	j.source++
	if j.stalls%max(1, len(r.joinSources())) == 0 {
		j.ckptOp, j.size, j.buf = 0, 0, nil // no source has it any more: the newest
	}
	r.requestJoinChunk()
}

// onJoinChunk adds a chunk of the joined epoch's first checkpoint.
func (r *Replica) onJoinChunk(m *message.CheckpointChunk) {
	j := &r.join
	if m.Op < j.op || crcOf(m.Data) != m.Checksum || m.Size > maxCheckpointSize ||
		uint64(len(m.Data)) > m.Size-min(m.Offset, m.Size) {
		return
	}
	if m.Offset == 0 && (m.Op != j.ckptOp || m.Size != j.size) && (j.ckptOp == 0 || len(j.buf) == 0) {
		j.ckptOp, j.size, j.buf = m.Op, m.Size, make([]byte, 0, joinBufferCap(m))
	}
	if m.Op != j.ckptOp || m.Size != j.size || m.Offset != uint64(len(j.buf)) || (len(m.Data) == 0 && m.Offset < m.Size) {
		return
	}
	j.buf = append(j.buf, m.Data...)
	j.stalls = 0
	if uint64(len(j.buf)) < j.size {
		r.requestJoinChunk()
		return
	}
	ck := CheckpointBytes(j.ckptOp, j.buf)
	j.buf, j.size, j.ckptOp = nil, 0, 0
	if ck.Verify() != nil {
		j.source++
		r.requestJoinChunk()
		return
	}
	r.installJoin(ck)
}

// installJoin restores the joined epoch's first state and enters it.
func (r *Replica) installJoin(ck *Checkpoint) {
	sessions, err := r.restoreFrom(ck)
	if err != nil {
		panic(fmt.Sprintf("core: replica %d: verified checkpoint at op %d: %v", r.id, ck.Op, err))
	}
	j := r.join
	r.adoptRestored(ck.Op, sessions)
	r.counters.CheckpointFetches++
	r.enterEpochAt(j.members, j.op, ck.Op, j.prev)
}

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// joinBufferCap is the first capacity of a join's checkpoint buffer: the
// announced size, at most 4 MiB; the buffer grows as the bytes arrive.
// Allocated up front, a chunk announcing 2^36-1 bytes (valid data and
// checksum) made the joiner ask the runtime for 64 GiB and die (second
// review, third finding).
func joinBufferCap(m *message.CheckpointChunk) uint64 {
	return min(m.Size, 4<<20)
}

// announceJoiner asks the replicas of Config.JoinPeers, every RetryTicks,
// to tell this joiner about their epoch: a message of an older epoch is
// answered with StartEpoch. A member that lost its state, or missed every
// StartEpoch, so learns of the epoch it belongs to.
func (r *Replica) announceJoiner() {
	if r.now-r.join.lastSent < uint64(r.cfg.RetryTicks) {
		return
	}
	r.join.lastSent = r.now
	for _, id := range r.cfg.JoinPeers {
		if id != r.id {
			r.sendTo(id, &message.Recovery{Replica: r.id})
		}
	}
}

// LostState reports whether the replica lost its state and has not
// recovered it yet: recovering, or joining an epoch after which it will
// recover. Durable mode writes nothing for it (a restart must recover
// again): a joiner's first write would otherwise record "a new joiner"
// over a disk whose loss it has not made good. A joiner that learns its
// epoch's view (learnEpochView) is recovering too: its disk keeps the
// state it held before it joined, from which a restart joins again.
func (r *Replica) LostState() bool { return r.status == StatusRecovering || r.recoverAfterJoin }
