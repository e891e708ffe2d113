package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Replica is one VR replica. It is not safe for concurrent use: the driver
// (node or sim) owns it and calls it from one goroutine.
//
// The state machine passed to New must be empty: the replica re-executes the
// log from op 1 (or restores a snapshot) to rebuild it.
type Replica struct {
	cfg   Config
	sm    StateMachine
	n, f  int
	index int
	rand  rng

	status         Status
	view           uint64
	lastNormalView uint64
	// promisedView is the highest view for which this replica sent
	// DoViewChange or was normal. It never accepts a log from a view below
	// it. Invariant: lastNormalView <= promisedView <= view.
	promisedView uint64
	log          []message.Entry // log[i].Op == i+1
	commit       uint64
	executed     uint64

	sessions sessionTable
	inflight map[uint64]uint64 // primary: client -> request number in the log, not yet executed

	now     uint64 // ticks seen
	timers  timers
	primary primaryState
	vc      viewChangeState
	rec     recoveryState
	st      transferState

	out          Output
	logDirtyFrom uint64
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
	if sm == nil {
		return nil, fmt.Errorf("%w: nil state machine", ErrBadConfig)
	}
	r := &Replica{
		cfg:      cfg,
		sm:       sm,
		n:        cfg.ReplicaCount,
		f:        (cfg.ReplicaCount - 1) / 2,
		index:    cfg.Index,
		rand:     rng{state: cfg.Seed ^ (uint64(cfg.Index+1) * 0x9e3779b97f4a7c15)},
		sessions: newSessionTable(cfg.MaxSessions),
		inflight: make(map[uint64]uint64),
	}
	r.primary.init(r.n)
	r.vc.init(r.n)
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

// primaryOf returns the primary of view v (round robin).
func (r *Replica) primaryOf(v uint64) int { return int(v % uint64(r.n)) }

func (r *Replica) isPrimary() bool { return r.primaryOf(r.view) == r.index }

func (r *Replica) op() uint64 { return uint64(len(r.log)) }

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
	}
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
	o.LogDirtyFrom = r.logDirtyFrom
	if r.logDirtyFrom > 0 && r.logDirtyFrom <= r.op() {
		o.Entries = r.log[r.logDirtyFrom-1 : r.op() : r.op()]
	} else if r.logDirtyFrom > r.op()+1 {
		o.LogDirtyFrom = r.op() + 1 // cut short, then nothing appended
	}
	o.HardState = HardState{View: r.view, LastNormalView: r.lastNormalView, PromisedView: r.promisedView, Commit: r.commit}
	r.out = Output{}
	r.logDirtyFrom = 0
	return o
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
	}
}

// Entry returns the log entry at op, if the replica holds it.
func (r *Replica) Entry(op uint64) (message.Entry, bool) {
	if op == 0 || op > r.op() {
		return message.Entry{}, false
	}
	return r.log[op-1], true
}

func (r *Replica) send(to int, m message.Message) {
	if to == r.index {
		panic("core: replica sending to itself")
	}
	r.out.Messages = append(r.out.Messages, Envelope{To: to, Msg: m})
}

func (r *Replica) broadcast(m message.Message) {
	for i := 0; i < r.n; i++ {
		if i != r.index {
			r.send(i, m)
		}
	}
}

// entries returns log entries (from, to] capped at MaxBatch, sharing memory
// with the log but with capacity clipped so nobody can append into it.
func (r *Replica) entries(from, to uint64) []message.Entry {
	if to > from+uint64(r.cfg.MaxBatch) {
		to = from + uint64(r.cfg.MaxBatch)
	}
	if from >= to {
		return nil
	}
	return r.log[from:to:to]
}

// wholeLog returns the whole log for DoViewChange, StartView and
// RecoveryResponse.
func (r *Replica) wholeLog() []message.Entry {
	n := len(r.log)
	return r.log[:n:n]
}

// appendEntry appends one entry at op()+1.
func (r *Replica) appendEntry(e message.Entry) {
	if e.Op != r.op()+1 {
		panic(fmt.Sprintf("core: append op %d at op-number %d", e.Op, r.op()))
	}
	r.markDirty(e.Op)
	r.log = append(r.log, e)
}

// replaceLog keeps ops 1..keep and then takes suffix, which must start at
// keep+1. Executed entries may not change: they are committed.
func (r *Replica) replaceLog(keep uint64, suffix []message.Entry) {
	if keep > r.op() {
		panic(fmt.Sprintf("core: replaceLog keep %d beyond op %d", keep, r.op()))
	}
	for i, e := range suffix {
		if e.Op != keep+uint64(i)+1 {
			panic(fmt.Sprintf("core: replaceLog non-consecutive op %d at %d", e.Op, keep+uint64(i)+1))
		}
		if e.Op <= r.executed && !sameEntry(r.log[e.Op-1], e) {
			panic(fmt.Sprintf("core: replica %d would replace executed op %d", r.index, e.Op))
		}
	}
	if uint64(len(suffix))+keep < r.executed {
		panic(fmt.Sprintf("core: replica %d would drop executed op %d", r.index, r.executed))
	}
	same := 0 // entries of suffix already held at the same op
	for same < len(suffix) && keep+uint64(same) < r.op() && sameEntry(r.log[keep+uint64(same)], suffix[same]) {
		same++
	}
	newLen := keep + uint64(len(suffix))
	if same == len(suffix) && newLen == r.op() {
		return // nothing changes
	}
	r.markDirty(keep + uint64(same) + 1)
	r.log = append(slices.Clip(r.log[:keep]), suffix...)
}

func (r *Replica) markDirty(op uint64) {
	if r.logDirtyFrom == 0 || op < r.logDirtyFrom {
		r.logDirtyFrom = op
	}
}

func sameEntry(a, b message.Entry) bool {
	return a.Op == b.Op && a.View == b.View && a.ClientID == b.ClientID &&
		a.RequestNum == b.RequestNum && a.Kind == b.Kind && string(a.Payload) == string(b.Payload)
}
