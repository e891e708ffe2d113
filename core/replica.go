package core

import (
	"fmt"

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
	index   int
	witness bool // this replica is a witness (witness.go)
	rand    rng

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
	fetch   fetchState
	lease   leaseState
	// leaseReads counts reads answered under a read lease.
	leaseReads uint64
	// counters count protocol events for monitoring (see Counters).
	counters Counters

	out          Output
	logDirtyFrom uint64
	logReset     bool // the log was replaced whole: it now starts at logDirtyFrom
	ackPending   bool // a PrepareOK is due at the next Output
	outputSeq    uint64
	marks        []outputMark // DurableAcks: Outputs not yet reported durable
}

// New returns a replica for cfg, applying committed operations to sm.
func New(cfg Config, sm StateMachine) (*Replica, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	witness := cfg.Membership.IsWitness(cfg.Index)
	switch {
	case sm == nil && !witness:
		return nil, fmt.Errorf("%w: nil state machine", ErrBadConfig)
	case sm != nil && witness:
		return nil, fmt.Errorf("%w: a witness holds no state machine", ErrBadConfig)
	}
	r := &Replica{
		cfg:      cfg,
		sm:       sm,
		members:  cfg.Membership,
		full:     cfg.Membership.full(),
		witness:  witness,
		n:        cfg.Membership.Size(),
		f:        cfg.Membership.faults(),
		index:    cfg.Index,
		rand:     rng{state: cfg.Seed ^ (uint64(cfg.Index+1) * 0x9e3779b97f4a7c15)},
		sessions: newSessionTable(cfg.MaxSessions),
		inflight: make(map[uint64]uint64),
	}
	r.primary.init(r.n)
	r.vc.init(r.n)
	r.lease.acks = make([]uint64, r.n)
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

// primaryOf returns the primary of view v: round robin over the full
// replicas, full[v mod len(full)], so never a witness.
func (r *Replica) primaryOf(v uint64) int {
	if r.cfg.bugs.WitnessMayLead {
		return int(v % uint64(r.n))
	}
	return r.full[v%uint64(len(r.full))]
}

func (r *Replica) isPrimary() bool { return r.primaryOf(r.view) == r.index }

// Step feeds one message (from a replica, or a client *message.Request).
func (r *Replica) Step(m message.Message) {
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
	}
	r.maybeFetchCheckpoint()
	r.assertInvariants()
}

// Tick advances logical time by one tick.
func (r *Replica) Tick() {
	r.now++
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
	}
	r.maybeFetchCheckpoint()
	r.assertInvariants()
}

// Output drains everything produced since the last call. Entries appended
// by requests since the last call leave in as few Prepares as MaxBatch
// allows: a driver that steps many requests before calling Output batches
// them.
func (r *Replica) Output() Output {
	r.flush()
	o := r.out
	o.Seq = r.markOutput()
	r.dirtyLog(&o)
	o.LogBase = r.base
	o.HardState = HardState{View: r.view, LastNormalView: r.lastNormalView, PromisedView: r.promisedView,
		AnnouncedView: r.announcedView, Commit: r.commit}
	r.out = Output{}
	r.logDirtyFrom, r.logReset = 0, false
	return o
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

// Info reports the replica's protocol state.
func (r *Replica) Info() Info {
	return Info{
		Index:          r.index,
		View:           r.view,
		LastNormalView: r.lastNormalView,
		Status:         r.status,
		Op:             r.op(),
		Commit:         r.commit,
		Executed:       r.executed,
		Primary:        r.primaryOf(r.view),
		LogBase:        r.base,
		CheckpointOp:   r.ckpt.Op,
		SavedOp:        r.saved[0],
		LeaseReads:     r.leaseReads,
		Epoch:          r.members.Epoch,
		Role:           r.members.Role(r.index),
		Counters:       r.countersNow(),
		LogBytes:       r.logBytes,
	}
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
	r.assertWitnessSends(m)
	r.checkSize(m)
	r.out.Messages = append(r.out.Messages, Envelope{To: to, Msg: m})
}

func (r *Replica) broadcast(m message.Message) {
	for i := 0; i < r.n; i++ {
		if i != r.index {
			r.send(i, m)
		}
	}
}
