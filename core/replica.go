package core

import (
	"fmt"
	"math"
	"slices"

	"github.com/vr-go/vr/message"
)

// Replica is one VR replica. It is not safe for concurrent use: the driver
// (node or sim) owns it and calls it from one goroutine.
//
// The state machine passed to New must be empty: the replica re-executes the
// log from op 1 (or restores a snapshot) to rebuild it.
type Replica struct {
	cfg     Config
	sm      StateMachine
	members Membership
	full    []int // members.full(): the candidates for primary, kept at hand
	n, f    int   // members.Size() and members.faults(), kept at hand
	index   int   // this replica's position in members; -1 when it is no member
	id      uint8 // this replica's stable id (Member.ID)
	ep      epochState
	join    joinState
	noExec  bool // restarting: execute nothing yet (restart.go)
	// recoverAfterJoin: the replica lost its state, and runs the recovery
	// protocol once it joined its epoch (reconfig.go).
	recoverAfterJoin bool
	moveView         uint64 // the view of the RECONFIGURATION being executed, plus one
	keepLog          bool   // enterEpoch keeps the log (the RECONFIGURATION was executed)
	reconfigAt       bool   // the op just executed is a RECONFIGURATION: checkpoint at it
	witness          bool   // this replica is a witness (witness.go)
	standby          bool   // this replica is a standby (standby.go)
	rand             rng

	status         Status
	view           uint64
	lastNormalView uint64
	// promisedView is the highest view for which this replica sent
	// DoViewChange or was normal. It never accepts a log from a view below
	// it. Invariant: lastNormalView <= promisedView <= view.
	promisedView uint64
	// announcedView is the highest view this replica ever moved to (and so
	// announced with a StartViewChange), or learned at recovery that it
	// may have promised before it lost its state. It never decreases, even
	// when the replica goes back to a lower view (a StartViewChange is not
	// a promise): answers to Recovery carry it, so that a replica that
	// sent DoViewChange(w) and then crashed learns of w from any f+1
	// answers. Invariant: view <= announcedView.
	announcedView uint64
	base          uint64          // ops at or below base are not in the log (see log.go)
	log           []message.Entry // log[i].Op == base+i+1
	logBytes      int             // encoded size of log's entries; at most cfg.logLimit()
	commit        uint64
	executed      uint64
	// ckpt is the newest checkpoint this replica took or installed (only
	// its Op: the driver holds the rest); Op 0: none. saved are the ops of
	// the newest two checkpoints the driver reported saved, newest first
	// (saved.go): the log starts at the older one, unless a jump moved it.
	ckpt  Checkpoint
	saved [2]uint64
	// primaryBase is the highest log base the primary of the current view
	// announced (Prepare and Commit carry it): the state there is held by
	// savedQuorum() full replicas (quorumsaved.go).
	primaryBase uint64
	// sinceCkpt is the encoded size of the entries executed since the
	// checkpoint at ckpt.Op (or since op 0): the byte trigger.
	sinceCkpt int

	sessions sessionTable
	inflight map[uint64]uint64 // primary: client -> request number in the log, not yet executed

	now     uint64 // ticks seen
	timers  timers
	primary primaryState
	vc      viewChangeState
	rec     recoveryState
	st      transferState
	early   earlyPrepares // backup: Prepares that arrived after a gap (early.go)
	fetch   fetchState
	install *Install // handed to the driver, not yet Installed
	lease   leaseState
	// leaseReads counts reads answered under a read lease.
	leaseReads uint64
	// counters count protocol events for monitoring (see Counters).
	counters Counters
	// answered is, per peer id, the last large answer sent to it
	// (answers.go).
	answered map[uint8]answerMemo

	out          Output
	logDirtyFrom uint64
	logReset     bool // the log was replaced whole: it now starts at logDirtyFrom
	ackPending   bool // a PrepareOK is due at the next Output
	execDue      bool // committed entries wait for ExecuteCommitted (lateexec.go)
	outputSeq    uint64
	marks        []outputMark // DurableAcks: Outputs not yet reported durable
}

// New returns a replica for cfg, applying committed operations to sm.
func New(cfg Config, sm StateMachine) (*Replica, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	restartEpoch := cfg.Restart != nil && cfg.Restart.HardState.Epoch > 0
	if cfg.Join && !restartEpoch {
		return newJoiner(cfg, sm), nil
	}
	members, id := cfg.Membership, cfg.JoinID
	if !cfg.Join {
		id = members.ID(cfg.Index)
	}
	if restartEpoch {
		hs := cfg.Restart.HardState
		members = FromWire(hs.Epoch, hs.Members, int(hs.NextID))
		if err := members.validate(); err != nil {
			return nil, fmt.Errorf("%w: configuration of epoch %d: %w", ErrBadDurableState, hs.Epoch, err)
		}
	}
	index := members.IndexOf(id)
	witness := index >= 0 && members.IsWitness(index)
	switch {
	case index < 0:
		return newRetired(cfg, sm, members, id)
	case sm == nil && !witness:
		return nil, fmt.Errorf("%w: nil state machine", ErrBadConfig)
	case sm != nil && witness:
		return nil, fmt.Errorf("%w: a witness holds no state machine", ErrBadConfig)
	}
	r := newReplica(cfg, sm, id)
	r.setMembers(members)
	if cfg.Restart != nil {
		r.ep.restore(cfg.Restart.HardState)
	}
	// It may have promised a read lease before a crash: keep the promise.
	r.lease.grantUntil = uint64(cfg.LeaseTicks)
	switch {
	case cfg.Restart != nil:
		if err := r.restart(cfg.Restart); err != nil {
			return nil, err
		}
	case cfg.Recovering || cfg.NewCluster:
		r.startRecovery(cfg.NewCluster && !cfg.Recovering)
	default:
		r.status = StatusNormal
		r.resetViewTimer()
		if r.isPrimary() {
			r.becomePrimary()
		}
	}
	return r, nil
}

// newReplica returns a replica with id and no configuration yet.
func newReplica(cfg Config, sm StateMachine, id uint8) *Replica {
	return &Replica{
		cfg:      cfg,
		sm:       sm,
		id:       id,
		index:    -1,
		rand:     rng{state: cfg.Seed ^ (uint64(id)+1)*0x9e3779b97f4a7c15},
		sessions: newSessionTable(cfg.MaxSessions),
		inflight: make(map[uint64]uint64),
		ep:       epochState{started: map[uint8]bool{}},
	}
}

// setMembers makes m the replica's configuration and resets what is sized
// by it.
func (r *Replica) setMembers(m Membership) {
	r.members, r.full, r.n, r.f = m, m.full(), m.Size(), m.faults()
	r.index = m.IndexOf(r.id)
	r.witness = r.index >= 0 && m.IsWitness(r.index)
	r.standby = r.index >= 0 && m.IsStandby(r.index)
	if r.cfg.bugs.StandbyMayLead {
		r.full = plantedLeaders(m)
	}
	r.primary.init(r.n)
	r.vc.init(r.n)
	r.lease.acks = make([]uint64, r.n)
}

// primaryOf returns the primary of view v: round robin over the full
// replicas, full[v mod len(full)], so never a witness or a standby.
func (r *Replica) primaryOf(v uint64) int {
	if len(r.full) == 0 {
		return -1 // no configuration yet (a joiner)
	}
	if r.cfg.bugs.WitnessMayLead {
		return int(modN(v, r.n))
	}
	return r.full[modN(v, len(r.full))]
}

// modN returns v mod n (n > 0), in 32 bits when v fits: views are small,
// and a 64-bit division costs several times a 32-bit one (primaryOf runs
// a few times per step).
func modN(v uint64, n int) uint64 {
	if v <= math.MaxUint32 {
		return uint64(uint32(v) % uint32(n))
	}
	return v % uint64(n)
}

func (r *Replica) isPrimary() bool { return r.index >= 0 && r.primaryOf(r.view) == r.index }

// Step feeds one message (from a replica, or a client *message.Request).
func (r *Replica) Step(m message.Message) {
	r.executeDue()
	if _, ok := m.(*message.StartEpoch); ok && r.installing() {
		m = nil // joining an epoch restores the state machine: after the install
	} else if !r.admitEpoch(m) {
		m = nil // another epoch's, or StartEpoch and EpochStarted: handled
	}
	switch m := m.(type) {
	case *message.Request:
		r.onRequest(m)
	case *message.Prepare:
		r.onPrepare(m)
	case *message.PrepareOK:
		r.onPrepareOK(m)
	case *message.Commit:
		r.onCommit(m)
	case *message.StartViewChange:
		r.onStartViewChange(m)
	case *message.DoViewChange:
		r.onDoViewChange(m)
	case *message.StartView:
		r.onStartView(m)
	case *message.Recovery:
		r.onRecovery(m)
	case *message.RecoveryResponse:
		r.onRecoveryResponse(m)
	case *message.GetState:
		r.onGetState(m)
	case *message.NewState:
		r.onNewState(m)
	case *message.GetCheckpoint:
		// The driver answers it from the checkpoints it saved
		// (driver/serve.go): the replica holds no checkpoint bytes.
	case *message.CheckpointChunk:
		r.onCheckpointChunk(m)
	case *message.GetLog:
		// The driver answers it from the committed entries it retains
		// (driver/retain.go): the replica's log is bounded to one message.
	case *message.LogChunk:
		r.onLogChunk(m)
	case *message.StartEpoch, *message.EpochStarted:
		panic("core: admitEpoch passed on " + m.Type().String())
	}
	if r.status != StatusTransitioning && r.status != StatusRetired {
		r.maybeFetchCheckpoint()
	}
	r.assertInvariants()
}

// Tick advances logical time by one tick and fires the timers due.
func (r *Replica) Tick() {
	r.now++
	r.FireTimers()
}

// Advance moves logical time forward by ticks without firing any timer:
// the next FireTimers (or Tick) fires what became due. A driver that
// resumes after a pause advances the clock first, so that every input it
// then handles sees the time it is handled at (a backup's lease promise
// runs from then), steps the inputs that queued during the pause, and
// only then fires the timers: a backup that was merely slow hears from its
// primary before its view-change timeout is checked (driver.Flush).
func (r *Replica) Advance(ticks uint64) { r.now += ticks }

// FireTimers fires the timers due at the current time: heartbeats,
// retransmissions, view-change, recovery and checkpoint-fetch timeouts.
// After Advance(n) it acts once for the n ticks: a timer does not fire
// once per tick that passed.
func (r *Replica) FireTimers() {
	r.executeDue()
	switch r.status {
	case StatusNormal:
		if r.isPrimary() {
			r.tickPrimary()
		} else {
			r.tickBackup()
		}
	case StatusViewChange:
		r.tickViewChange()
	case StatusRecovering:
		r.tickRecovery()
	case StatusTransitioning:
		r.tickJoin()
	}
	if r.status == StatusNormal || r.status == StatusRetired {
		r.tickEpoch()
	}
	if r.status != StatusTransitioning && r.status != StatusRetired {
		r.maybeFetchCheckpoint()
	}
	r.assertInvariants()
}

// Output drains everything produced since the last call. Entries appended
// by requests since the last call leave in as few Prepares as MaxBatch
// allows: a driver that steps many requests before calling Output batches
// them. (o is named so that it is built in the caller's result: the
// Output is a few hundred bytes, made at every step.)
func (r *Replica) Output() (o Output) {
	r.OutputTo(&o)
	return o
}

// OutputTo is Output into o, whatever o held: a driver that keeps its
// Output in place (driver.Flush) copies it once, not twice.
func (r *Replica) OutputTo(o *Output) {
	r.flush()
	*o = r.out
	o.Seq = r.markOutput()
	r.dirtyLog(o)
	o.LogBase = r.base
	o.HardState = HardState{View: r.view, LastNormalView: r.lastNormalView, PromisedView: r.promisedView,
		AnnouncedView: r.announcedView, Commit: r.commit}
	r.ep.fill(&o.HardState, r.members)
	r.out = Output{}
	r.logDirtyFrom, r.logReset = 0, false
}

// dirtyLog fills o's LogDirtyFrom, LogReset and Entries.
func (r *Replica) dirtyLog(o *Output) {
	from := r.logDirtyFrom
	if from == 0 {
		return
	}
	o.LogReset = r.logReset
	if from <= r.base {
		// Entries written since the last Output were truncated since: a
		// checkpoint emitted earlier (durable by now) covers them.
		from, o.LogReset = r.base+1, true
	}
	o.LogDirtyFrom = from
	switch {
	case from <= r.op():
		n := uint64(len(r.log))
		o.Entries = r.log[from-r.base-1 : n : n]
	case from > r.op()+1:
		o.LogDirtyFrom = r.op() + 1 // cut short, then nothing appended
	}
}

// Executed returns the op number of the last op the replica executed: what
// Info reports as Executed, without filling an Info.
func (r *Replica) Executed() uint64 { return r.executed }

// Info reports the replica's protocol state.
func (r *Replica) Info() (i Info) {
	r.InfoTo(&i)
	return i
}

// InfoTo is Info into i, every field of which it sets: a caller that reads
// the state at every step (the simulator) refills one Info rather than
// having a new one zeroed and filled (TestInfoToSetsEveryField).
func (r *Replica) InfoTo(i *Info) {
	// Field by field: a literal was built aside and copied out, at every
	// checked step of the simulator.
	i.Index, i.View, i.LastNormalView, i.PromisedView = r.index, r.view, r.lastNormalView, r.promisedView
	i.Status, i.Op, i.Commit, i.Executed = r.status, r.op(), r.commit, r.executed
	i.Primary, i.LogBase, i.CheckpointOp, i.SavedOp = r.primaryOf(r.view), r.base, r.ckpt.Op, r.saved[0]
	i.LeaseReads, i.Epoch, i.EpochOp, i.EpochEntryView = r.leaseReads, r.members.Epoch, r.ep.op, r.ep.entryView
	i.Role, i.ID, i.Members, i.Transitioning = r.role(), r.id, r.members, r.transitioning()
	i.Started, i.Counters, i.LogBytes = len(r.ep.started), r.countersNow(), r.logBytes
	i.Acked, i.AckCommit = r.ackedNow()
}

// role returns the replica's role, 0 when it is no member.
func (r *Replica) role() Role {
	if r.index < 0 {
		return 0
	}
	return r.members.Role(r.index)
}

// countersNow completes the counters with the client table's figures.
func (r *Replica) countersNow() Counters {
	c := r.counters
	c.Sessions, c.SessionEvictions = r.sessions.len(), r.sessions.evictions
	return c
}

func (r *Replica) send(to int, m message.Message) {
	if to == r.index {
		panic("core: replica sending to itself")
	}
	r.sendTo(r.members.ID(to), m)
}

// sendTo sends m to the replica with id, member of any configuration.
func (r *Replica) sendTo(id uint8, m message.Message) {
	r.prepareSend(m)
	r.enqueue(id, m)
}

// prepareSend checks m and stamps its epoch before it is sent; it depends
// on m alone, not on where it goes.
func (r *Replica) prepareSend(m message.Message) {
	r.assertWitnessSends(m)
	r.assertStandbySends(m)
	r.checkSize(m)
	message.SetEpoch(m, r.sendEpoch())
}

// enqueue puts m, checked and stamped by prepareSend, in the Output for id.
func (r *Replica) enqueue(id uint8, m message.Message) {
	if id == r.id {
		panic("core: replica sending to itself")
	}
	r.out.Messages = append(r.out.Messages, Envelope{To: int(id), Msg: m})
}

// broadcast sends m to every other member. The checks of prepareSend,
// which depend on m alone, run once for all the copies.
func (r *Replica) broadcast(m message.Message) {
	r.prepareSend(m)
	// Room for every copy at once (allocation, not behaviour: the Output's
	// slices start empty at every step).
	r.out.Messages = slices.Grow(r.out.Messages, r.n-1)
	for i := 0; i < r.n; i++ {
		if i != r.index {
			r.enqueue(r.members.ID(i), m)
		}
	}
}

// ID returns the replica's stable id.
func (r *Replica) ID() uint8 { return r.id }

// Status returns the replica's status: Info().Status without building
// the whole Info (the driver reads it on every durable write).
func (r *Replica) Status() Status { return r.status }

// Epoch returns the replica's epoch: a peer's GetCheckpoint of another
// epoch must not be served (driver/serve.go).
func (r *Replica) Epoch() uint64 { return r.members.Epoch }
