package core

import (
	"slices"

	"github.com/vr-go/vr/message"
)

// The epoch a replica is in: how it began (epochState), what the replica
// does with messages of other epochs (admitEpoch), StartEpoch and
// EpochStarted. See reconfig.go.

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
	// membersWire and prevWire are the wire forms fill last gave the
	// hard state, reused while the configurations are the same.
	membersWire, prevWire wireCache
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
	hs.Members, hs.Prev = e.membersWire.of(m), e.prevWire.of(e.prev)
}

// wireCache holds a configuration's wire form, so that every Output of a
// reconfigured cluster does not build its hard state's two member lists
// anew (they were a tenth of a durable simulation's allocated bytes).
// The lists are shared by the Outputs: their readers (the driver, the
// storage, the simulator) never write into them.
type wireCache struct{ ws []message.Member }

// of returns m's wire form: the cached one while it holds the same
// members (compared member by member, so a configuration changed in
// place is seen too), else a new one, cached.
func (c *wireCache) of(m Membership) []message.Member {
	if !sameWire(c.ws, m.Members) || len(m.Members) == 0 {
		c.ws = m.Wire()
	}
	return c.ws
}

// sameWire reports whether ws is the wire form of ms.
func sameWire(ws []message.Member, ms []Member) bool {
	if len(ws) != len(ms) {
		return false
	}
	for i, mem := range ms {
		if w := ws[i]; w.ID != mem.ID || w.Role != uint8(mem.Role) || w.Addr != mem.Addr {
			return false
		}
	}
	return true
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
		// Offer the epoch's first checkpoint again until it is saved, but
		// not while the driver installs a newer one over the state (it
		// replaces it: joiners take any checkpoint at or above the
		// epoch's first op).
		if r.ep.ckpt != nil && r.saved[0] < r.ep.op && r.out.Checkpoint == nil && r.ckpt.Op == r.ep.op &&
			(!r.installing() || r.cfg.bugs.EpochCheckpointWhileInstalling) {
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
	if r.status == StatusRetired && !r.ep.retired && r.votersStarted() > r.f {
		r.ep.retired = true
		r.out.Retire = true
	}
}

// votersStarted counts the voting members of the epoch known to hold its
// first state: a standby holding it counts towards no f'+1.
func (r *Replica) votersStarted() int {
	n := 0
	for id := range r.ep.started {
		if i := r.members.IndexOf(id); i >= 0 && r.members.Votes(i) {
			n++
		}
	}
	return n
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
