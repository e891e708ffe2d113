package core

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"

	"github.com/vr-go/vr/message"
)

// Reconfiguration (VR Revisited §7). The administrator's RECONFIGURATION
// request (KindReconfigure, admitted by checkReconfig) goes through the log
// like any op and is the last op of its epoch: once it is in the log the
// primary appends nothing after it (transitioning). Executing it, at op R,
// takes a checkpoint at R and moves the replica into epoch e+1 (enterEpoch):
// view 0, its log empty above R, the new configuration. Replicas that are
// not members of it retire (StatusRetired): they serve their checkpoint at
// R until f'+1 new members said EpochStarted, and then report Output.Retire.
//
// Every replica of the new epoch sends StartEpoch to the members it has not
// heard EpochStarted from, every RetryTicks. A replica that receives one
// for a later epoch does not take the epoch from it: a full member fetches
// the checkpoint at R (joining, StatusTransitioning) and enters the epoch
// when it installed it, exactly as if it had executed R; a non-member that
// never executed R stops (StatusRetired, without Retire: it holds nothing
// anyone needs). A witness, which holds no state, enters at once.
//
// Messages carry their sender's epoch; a replica takes part only in its own
// (admitEpoch). It answers a message of an older epoch with StartEpoch and
// ignores one of a later epoch: its sender's peers will send it StartEpoch.
// See docs/protocol.md, "Reconfiguration".

// epochState is what a replica knows about how its epoch began.
type epochState struct {
	op       uint64           // the RECONFIGURATION that began the epoch (0: the first epoch)
	prev     Membership       // the configuration before (no members in the first epoch)
	started  map[uint8]bool   // members known to hold the state at op (EpochStarted)
	lastSent uint64           // when StartEpoch was last sent
	answered map[uint8]uint64 // when a replica of an older epoch was last answered
	retired  bool             // Output.Retire was reported
	moveTo   *Membership      // set while executing a RECONFIGURATION: the next configuration
	opView   uint64           // the view of the RECONFIGURATION's entry plus one (0: unknown)
	// entryView is the view the replica entered the epoch in (always 0;
	// Info.EpochEntryView reports it for the simulator's check).
	entryView uint64
	// ckpt is the checkpoint at op, offered to the driver again until it
	// is saved: new members fetch it, and no log below op is left.
	ckpt *Checkpoint
}

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

// restore resumes the epoch's state from a durable hard state.
func (e *epochState) restore(hs HardState) {
	if hs.Epoch == 0 {
		return
	}
	e.op, e.opView = hs.EpochOp, hs.EpochOpView
	e.prev = FromWire(hs.Epoch-1, hs.Prev, int(hs.NextID))
}

// fill records the epoch in hs (nothing in the first epoch, so that the
// hard state of a cluster that never reconfigured stays as it was).
func (e *epochState) fill(hs *HardState, m Membership) {
	if m.Epoch == 0 {
		return
	}
	hs.Epoch, hs.EpochOp, hs.EpochOpView, hs.NextID = m.Epoch, e.op, e.opView, uint16(m.NextID)
	hs.Members, hs.Prev = m.Wire(), e.prev.Wire()
}

// newJoiner returns a replica that is a member of no configuration yet.
func newJoiner(cfg Config, sm StateMachine) *Replica {
	r := newReplica(cfg, sm, cfg.JoinID)
	r.setMembers(Membership{})
	r.status = StatusTransitioning
	// A joiner that lost its state may have been a member of the epoch it
	// joins, and promised things there: it recovers once it joined.
	r.recoverAfterJoin = cfg.Recovering
	return r
}

// newRetired returns a replica restarted from a durable state whose epoch's
// configuration does not include it. It rebuilds the state at the epoch's
// first op from its checkpoint and log, if it can, to serve it (the
// checkpoint at that op is taken again as it executes it).
func newRetired(cfg Config, sm StateMachine, members Membership, id uint8) (*Replica, error) {
	r := newReplica(cfg, sm, id)
	r.setMembers(members)
	r.ep.restore(cfg.Restart.HardState)
	r.status = StatusRetired
	d := cfg.Restart
	r.base, r.commit = d.LogBase, max(d.LogBase, d.HardState.Commit)
	r.log = slices.Clone(d.Log)
	r.recountLog()
	r.commit = min(r.commit, r.op())
	if sm == nil {
		return r, nil
	}
	if err := r.restoreDurableCheckpoint(d.Checkpoint); err != nil {
		return nil, err
	}
	r.commit = min(r.commit, r.ep.op)
	r.execute()
	return r, nil
}

// sendEpoch is the epoch stamped on what the replica sends: the one it is
// joining while it fetches that epoch's state.
func (r *Replica) sendEpoch() uint64 {
	if r.status == StatusTransitioning {
		return r.join.epoch
	}
	return r.members.Epoch
}

// validateJoin checks a joiner's configuration.
func (c Config) validateJoin() error {
	if c.HeartbeatTicks < 1 || c.ViewChangeTicks <= c.HeartbeatTicks || c.RetryTicks < 1 || c.MaxSessions < 1 ||
		c.MaxBatch < 1 || c.CheckpointChunk < 1 || c.LeaseTicks < 1 {
		return fmt.Errorf("%w: bad timers or bounds", ErrBadConfig)
	}
	return c.validateBytes()
}

// admitEpoch decides whether m, of any epoch, goes on to the protocol of
// the replica's epoch; it handles StartEpoch and EpochStarted itself.
func (r *Replica) admitEpoch(m message.Message) bool {
	switch m := m.(type) {
	case *message.Request:
		if r.cfg.bugs.LeaseAcrossEpochs && m.Kind == message.KindRead && r.now < r.lease.staleUntil {
			return true // planted: the old epoch's lease still answers
		}
		return r.status != StatusTransitioning && r.status != StatusRetired // clients' epochs are advisory
	case *message.StartEpoch:
		r.onStartEpoch(m)
		return false
	case *message.EpochStarted:
		r.onEpochStarted(m)
		return false
	case *message.CheckpointChunk:
		if r.status == StatusTransitioning {
			if m.Epoch == r.join.epoch && r.join.epoch != 0 {
				r.onJoinChunk(m)
			}
			return false
		}
	}
	e := message.EpochOf(m)
	switch {
	case r.status == StatusTransitioning:
		return false
	case e < r.members.Epoch:
		if id, ok := message.Sender(m); ok {
			r.answerOlderEpoch(id)
		}
		return false
	case e > r.members.Epoch || r.status == StatusRetired:
		return false
	}
	return true
}

// answerOlderEpoch tells a replica of an older epoch about this one, at
// most once per RetryTicks.
func (r *Replica) answerOlderEpoch(id uint8) {
	if r.members.Epoch == 0 || id == r.id {
		return
	}
	if r.ep.answered == nil {
		r.ep.answered = map[uint8]uint64{}
	}
	if at, ok := r.ep.answered[id]; ok && r.now-at < uint64(r.cfg.RetryTicks) {
		return
	}
	r.ep.answered[id] = r.now
	r.sendTo(id, r.startEpochMessage())
}

func (r *Replica) startEpochMessage() *message.StartEpoch {
	return &message.StartEpoch{Epoch: r.members.Epoch, Replica: r.id, Op: r.ep.op, OpView: r.ep.opView, NextID: uint16(r.members.NextID),
		Members: r.members.Wire(), Prev: r.ep.prev.Wire()}
}

// transitioning reports whether the log holds a RECONFIGURATION not yet
// executed: no client op may follow it, and the primary serves no lease
// read (a new epoch may start as soon as it commits).
func (r *Replica) transitioning() bool {
	n := len(r.log)
	return n > 0 && r.log[n-1].Kind == message.KindReconfigure && r.log[n-1].Op > r.executedOrBase()
}

func (r *Replica) executedOrBase() uint64 { return max(r.executed, r.base) }

// checkReconfig returns why the primary refuses a RECONFIGURATION whose
// payload is p (0: it is admitted), with the reply's detail.
func (r *Replica) checkReconfig(p []byte) (message.RefusalReason, []byte) {
	c, err := message.DecodeReconfiguration(p)
	switch {
	case err != nil:
		return message.RefuseInvalid, nil
	case c.Epoch != r.members.Epoch:
		return message.RefuseStaleEpoch, binary.LittleEndian.AppendUint64(nil, r.members.Epoch)
	case len(c.Members) < 3:
		return message.RefuseTooSmall, nil
	}
	next := r.nextConfig(c)
	if next.validate() != nil {
		return message.RefuseInvalid, nil
	}
	if sameMembers(next, r.members) {
		return message.RefuseUnchanged, nil
	}
	for _, m := range next.Members {
		i := r.members.IndexOf(m.ID)
		switch {
		case i < 0 && int(m.ID) < r.members.NextID:
			return message.RefuseReusedID, nil
		case i >= 0 && r.members.Role(i) != m.Role:
			return message.RefuseInvalid, nil // roles do not change in place
		}
	}
	return 0, nil
}

// nextConfig is the configuration a RECONFIGURATION c leads to.
func (r *Replica) nextConfig(c message.Reconfiguration) Membership {
	next := FromWire(r.members.Epoch+1, c.Members, r.members.NextID)
	for _, m := range c.Members {
		next.NextID = max(next.NextID, int(m.ID)+1)
	}
	return next
}

// refuse answers a RECONFIGURATION that was not admitted.
func (r *Replica) refuse(m *message.Request, why message.RefusalReason, detail []byte) {
	r.reply(m.ClientID, m.RequestNum, message.StatusRefused, append([]byte{byte(why)}, detail...))
}

// admitRequest applies the reconfiguration rules to a fresh client request
// at the primary, before it is appended; it reports whether to go on.
func (r *Replica) admitRequest(m *message.Request) bool {
	if r.transitioning() && !r.cfg.bugs.OpAfterReconfig {
		if m.Kind == message.KindReconfigure {
			r.refuse(m, message.RefuseInProgress, nil)
		}
		return false // no client op after a RECONFIGURATION in its epoch
	}
	if m.Kind != message.KindReconfigure {
		return true
	}
	if why, detail := r.checkReconfig(m.Payload); why != 0 {
		r.refuse(m, why, detail)
		return false
	}
	return true
}

// executeReconfig executes the RECONFIGURATION e: the move happens after
// the checkpoint at e.Op (execute calls finishMove).
func (r *Replica) executeReconfig(e message.Entry) {
	c, err := message.DecodeReconfiguration(e.Payload)
	if err == nil && c.Epoch < r.members.Epoch {
		return // executed again after a restart: the replica is past it
	}
	if err != nil || c.Epoch != r.members.Epoch {
		panic(fmt.Sprintf("core: replica %d executing a RECONFIGURATION from epoch %d in epoch %d (%v)",
			r.id, c.Epoch, r.members.Epoch, err))
	}
	next := r.nextConfig(c)
	r.ep.moveTo = &next
	r.moveView = e.View + 1
}

// finishMove enters the epoch a RECONFIGURATION just executed leads to.
func (r *Replica) finishMove() {
	next := r.ep.moveTo
	if next == nil {
		return
	}
	r.ep.moveTo = nil
	if r.op() != r.executed && !r.cfg.bugs.OpAfterReconfig {
		panic(fmt.Sprintf("core: replica %d holds ops up to %d after the RECONFIGURATION at %d", r.id, r.op(), r.executed))
	}
	// The log up to the RECONFIGURATION stays until a saved checkpoint
	// covers it, as always (saved.go): dropping it before the checkpoint
	// at it is durable could leave no replica with that state after a
	// crash of every replica.
	r.keepLog = true
	r.enterEpoch(*next, r.executed, r.members)
}

// enterEpoch makes c, which began after the RECONFIGURATION at op, this
// replica's configuration: view 0, the log empty above op (a checkpoint at
// op covers everything below), and normal status if it is a member.
func (r *Replica) enterEpoch(c Membership, op uint64, prev Membership) {
	r.enterEpochAt(c, op, op, prev)
}

// enterEpochAt enters the epoch c that began after op with the state at
// at (op, or the newer checkpoint of the epoch a joiner installed): its
// log starts above at, which is committed. A replica normal in view 0 whose
// log is the epoch's committed prefix up to at is safe even if the epoch
// moved to later views: a view change prefers any log of a later normal
// view, and in view 0 one that holds more ops, so its log is chosen only if
// it holds every committed op; as a primary of view 0 it gathers no quorum
// once f'+1 replicas promised a later view.
func (r *Replica) enterEpochAt(c Membership, op, at uint64, prev Membership) {
	if c.Epoch <= r.members.Epoch && r.status != StatusTransitioning {
		panic(fmt.Sprintf("core: replica %d moving from epoch %d to %d", r.id, r.members.Epoch, c.Epoch))
	}
	r.plantStaleLease()
	r.setMembers(c)
	ck := r.out.Checkpoint
	if ck == nil || ck.Op != op || at != op {
		ck = nil // a witness, or the planted EpochFromMessage
	}
	oldView := r.view
	r.ep = epochState{op: op, prev: prev, started: map[uint8]bool{}, lastSent: r.now, ckpt: ck, opView: r.moveView}
	r.moveView = 0
	r.join = joinState{}
	r.ackPending = false
	if !r.keepLog {
		r.base, r.log, r.logBytes = at, nil, 0
		r.logDirtyFrom, r.logReset = at+1, true
	}
	r.keepLog = false
	r.commit = max(at, r.commit)
	r.view, r.lastNormalView, r.promisedView, r.announcedView = 0, 0, 0, 0
	if r.cfg.bugs.EpochKeepsView {
		r.view, r.lastNormalView, r.promisedView, r.announcedView = oldView, oldView, oldView, oldView
	}
	r.ep.entryView = r.view
	r.vc.reset()
	r.st.reset()
	r.fetch.reset()
	r.marks = nil
	clear(r.inflight)
	r.resetViewTimer()
	if r.index < 0 {
		r.status = StatusRetired
		r.sendStartEpochs()
		if r.cfg.bugs.RetireEarly {
			r.ep.retired, r.out.Retire = true, true
		}
		return
	}
	r.status = StatusNormal
	switch {
	case r.isPrimary() && r.cfg.Restart != nil && r.cfg.DurableAcks && !r.recoverAfterJoin:
		// Restarted from its disk, it may have been this view's primary
		// before the crash and sent Prepares whose own write never became
		// durable (the disk still said the old epoch): backups may hold
		// more of view 0 than it does. As at a restart (restart.go), it
		// hands the view on.
		r.ep.started[r.id] = true
		r.sendEpochStarted()
		r.sendStartEpochs()
		r.startViewChange(1)
		return
	case r.isPrimary():
		r.becomePrimary()
	}
	r.ep.started[r.id] = true
	r.sendEpochStarted()
	r.sendStartEpochs()
	if r.recoverAfterJoin {
		// It lost its state after it may have taken part in this epoch:
		// the recovery protocol of the epoch brings back its promises.
		r.recoverAfterJoin = false
		r.startRecovery(false)
	}
}

// sendEpochStarted tells the members of the previous and the current
// configuration that this replica holds the state at the epoch's first op.
func (r *Replica) sendEpochStarted() {
	for _, m := range r.ep.prev.Members {
		if m.ID != r.id && r.members.IndexOf(m.ID) < 0 {
			r.sendTo(m.ID, &message.EpochStarted{Replica: r.id})
		}
	}
	for _, m := range r.members.Members {
		if m.ID != r.id {
			r.sendTo(m.ID, &message.EpochStarted{Replica: r.id})
		}
	}
}

// sendStartEpochs sends StartEpoch to the members not known to have
// started.
func (r *Replica) sendStartEpochs() {
	r.ep.lastSent = r.now
	for _, m := range r.members.Members {
		if m.ID != r.id && !r.ep.started[m.ID] {
			r.sendTo(m.ID, r.startEpochMessage())
		}
	}
}

// tickEpoch re-sends StartEpoch until every member answered.
func (r *Replica) tickEpoch() {
	if r.ep.op == 0 && r.members.Epoch == 0 {
		return
	}
	if r.now-r.ep.lastSent >= uint64(r.cfg.RetryTicks) {
		r.sendStartEpochs()
		if r.ep.ckpt != nil && r.saved[0] < r.ep.op && r.out.Checkpoint == nil && r.ckpt.Op == r.ep.op {
			r.out.Checkpoint = r.ep.ckpt
		}
	}
}

// onEpochStarted counts a member of this epoch that holds its state.
func (r *Replica) onEpochStarted(m *message.EpochStarted) {
	if m.Epoch != r.members.Epoch || r.members.IndexOf(m.Replica) < 0 {
		return
	}
	r.ep.started[m.Replica] = true
	if r.status == StatusRetired && !r.ep.retired && len(r.ep.started) > r.f {
		r.ep.retired = true
		r.out.Retire = true
	}
}

// hasEpochState reports whether this member holds the state at its epoch's
// first op.
func (r *Replica) hasEpochState() bool {
	return r.index >= 0 && (r.witness || r.executed >= r.ep.op) && r.status != StatusRecovering
}

// onStartEpoch handles news of an epoch: a later one it moves into (or
// leaves for), its own one whose sender did not hear its EpochStarted.
func (r *Replica) onStartEpoch(m *message.StartEpoch) {
	if m.Replica == r.id {
		return
	}
	if m.Epoch == r.members.Epoch && r.status != StatusTransitioning {
		if r.hasEpochState() {
			r.sendTo(m.Replica, &message.EpochStarted{Replica: r.id})
		}
		return
	}
	if m.Epoch <= r.members.Epoch && r.status != StatusTransitioning || m.Epoch <= r.join.epoch {
		return
	}
	next := FromWire(m.Epoch, m.Members, int(m.NextID))
	prev := FromWire(m.Epoch-1, m.Prev, int(m.NextID))
	if next.validate() != nil || m.Op < r.commitOrZero() {
		return
	}
	if r.executeAnnounced(m) {
		return
	}
	i := next.IndexOf(r.id)
	if r.status == StatusRecovering {
		r.recoverAfterJoin = true // it lost its state: see newJoiner
	}
	switch {
	case i < 0 && r.n == 0:
		return // a joiner not named yet: it waits for a configuration that does
	case i < 0:
		// It never executed the RECONFIGURATION, holds nothing the new
		// epoch needs, and takes part in the old one no more.
		r.status = StatusRetired
	case next.IsWitness(i) || r.cfg.bugs.EpochFromMessage:
		r.enterCopied(next, m.Op, prev)
	default:
		r.startJoin(next, m.Op, prev)
	}
}

// executeAnnounced commits and executes the RECONFIGURATION that m says
// began the next epoch, if this replica's log holds it: the same op in the
// same view, so its log up to it is the committed one. The epoch then
// advances as it always does, by executing it. It reports whether the
// replica moved.
func (r *Replica) executeAnnounced(m *message.StartEpoch) bool {
	if m.Epoch != r.members.Epoch+1 || m.OpView == 0 || r.n == 0 || r.witness ||
		(r.status != StatusNormal && r.status != StatusViewChange) {
		return false
	}
	e, ok := r.Entry(m.Op)
	if !ok || e.Kind != message.KindReconfigure || e.View+1 != m.OpView || m.Op < r.executed {
		return false
	}
	r.commit = max(r.commit, m.Op)
	r.execute()
	return r.members.Epoch == m.Epoch
}

// commitOrZero is the commit-number, 0 for a replica without a
// configuration.
func (r *Replica) commitOrZero() uint64 {
	if r.n == 0 {
		return 0
	}
	return r.commit
}

// enterCopied enters an epoch from a StartEpoch: for a witness, which
// holds no state; for a full replica only with the planted bug
// EpochFromMessage, which then claims the state at op without fetching it.
func (r *Replica) enterCopied(next Membership, op uint64, prev Membership) {
	if !r.witness && r.sm != nil && r.cfg.bugs.EpochFromMessage {
		r.executed = op
		r.ckpt = Checkpoint{Op: op}
		r.status = StatusTransitioning // enterEpoch's check: a move
		r.enterEpoch(next, op, prev)
		return
	}
	if r.sm != nil {
		return // a full replica named a witness: it cannot shed its state
	}
	r.status = StatusTransitioning
	r.enterEpoch(next, op, prev)
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
// previous one that leave.
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
		j.ckptOp, j.size, j.buf = m.Op, m.Size, make([]byte, 0, m.Size)
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
	r.sessions.sessions = sessions
	r.executed = ck.Op
	r.ckpt = Checkpoint{Op: ck.Op}
	r.sinceCkpt = 0
	r.out.Checkpoint = r.takeCheckpoint(ck.Op)
	r.out.Applied = append(r.out.Applied, Applied{Entry: message.Entry{Op: ck.Op}, Restored: true})
	r.counters.CheckpointFetches++
	r.enterEpochAt(j.members, j.op, ck.Op, j.prev)
}

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// assertEpochInvariants checks the reconfiguration rules on the replica's
// state.
func (r *Replica) assertEpochInvariants(fail func(string, ...any)) {
	if r.members.Size() > 0 && r.index != r.members.IndexOf(r.id) {
		fail("index %d but id %d is at %d", r.index, r.id, r.members.IndexOf(r.id))
	}
	if r.members.Epoch > 0 && r.commit < r.ep.op && r.status != StatusTransitioning {
		fail("commit %d below the first op %d of epoch %d", r.commit, r.ep.op, r.members.Epoch)
	}
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

// keepEpochCheckpoint keeps the checkpoint taken at the current epoch's
// first op (after a restart, executing it again), to offer it again until
// it is saved: members that join fetch it.
func (r *Replica) keepEpochCheckpoint() {
	if ck := r.out.Checkpoint; ck != nil && r.ep.op != 0 && ck.Op == r.ep.op && r.executed == r.ep.op {
		r.ep.ckpt = ck
	}
}

// plantStaleLease, with the planted bug LeaseAcrossEpochs, keeps the read
// lease a primary holds as it moves to a new epoch: it answers reads from
// its state until the old lease runs out, whatever its role in the new
// epoch, while the new epoch's primary commits writes.
func (r *Replica) plantStaleLease() {
	r.lease.staleUntil = 0
	if !r.cfg.bugs.LeaseAcrossEpochs || r.status != StatusNormal || !r.isPrimary() || r.f == 0 {
		return
	}
	if s := kthLargest(r.lease.acks, r.f); s > 0 {
		r.lease.staleUntil = s + r.primaryLeaseTicks()
	}
}
