package core

import "github.com/vr-go/vr/message"

// recoveryState tracks the recovery protocol of a replica that lost its
// state.
type recoveryState struct {
	nonce     uint64
	bootstrap bool                        // NewCluster: still hoping every replica is new
	responses []*message.RecoveryResponse // per replica, with our nonce
}

// startRecovery enters the recovering status with a fresh nonce. The
// replica takes no part in the protocol until it has recovered.
func (r *Replica) startRecovery(bootstrap bool) {
	r.status = StatusRecovering
	r.rec.nonce = r.rand.next()
	r.rec.bootstrap = bootstrap
	r.rec.responses = make([]*message.RecoveryResponse, r.n)
	r.resetViewTimer()
	if bootstrap && r.n == 1 {
		r.bootstrapDone() // nobody else to ask
		return
	}
	r.broadcastRecovery()
}

func (r *Replica) broadcastRecovery() {
	r.broadcast(&message.Recovery{Replica: uint8(r.index), Nonce: r.rec.nonce, NewCluster: r.rec.bootstrap})
}

func (r *Replica) tickRecovery() {
	if r.retryDue() {
		r.broadcastRecovery()
	}
}

// onRecovery answers a recovering replica. Only a replica in normal status
// answers; only the primary includes its log (after its base).
func (r *Replica) onRecovery(m *message.Recovery) {
	from := int(m.Replica)
	if from >= r.n || from == r.index {
		return
	}
	if r.status == StatusRecovering && r.rec.bootstrap && m.NewCluster {
		// Both are new members: vouch that this replica holds nothing.
		r.send(from, &message.RecoveryResponse{Nonce: m.Nonce, Replica: uint8(r.index)})
		return
	}
	answer := r.status == StatusNormal ||
		(r.cfg.Bugs.RecoveryInViewChange && r.status == StatusViewChange)
	if !answer {
		return
	}
	resp := &message.RecoveryResponse{View: r.view, Nonce: m.Nonce, Op: r.op(), Commit: r.commit, Replica: uint8(r.index)}
	if r.isPrimary() {
		resp.Log = r.wholeLog()
	}
	r.send(from, resp)
}

// onRecoveryResponse collects answers; with f+1 carrying our nonce, one of
// them from the primary of the highest view among them, the replica adopts
// that primary's state.
func (r *Replica) onRecoveryResponse(m *message.RecoveryResponse) {
	from := int(m.Replica)
	if r.status != StatusRecovering || m.Nonce != r.rec.nonce || from >= r.n || from == r.index {
		return
	}
	if prev := r.rec.responses[from]; prev == nil || m.View >= prev.View {
		r.rec.responses[from] = m
	}
	if r.rec.bootstrap {
		r.bootstrapStep(m)
		return
	}
	count := 0
	var top uint64
	for _, resp := range r.rec.responses {
		if resp != nil {
			count++
			top = max(top, resp.View)
		}
	}
	primary := r.rec.responses[r.primaryOf(top)]
	if count < r.f+1 || primary == nil || primary.View != top || uint64(len(primary.Log)) > primary.Op {
		return
	}
	r.adoptLog(primary.Op-uint64(len(primary.Log)), primary.Log)
	r.enterNormal(top)
	r.rec = recoveryState{}
	r.ack()
	r.learnCommit(primary.Commit)
}

// bootstrapStep decides a NewCluster start: once every other replica has
// answered that it is new, the cluster starts in view 0 with an empty log.
// One answer from a replica that holds state turns this into an ordinary
// recovery, which then needs the primary's log.
func (r *Replica) bootstrapStep(m *message.RecoveryResponse) {
	if m.View > 0 || m.Op > 0 {
		// Answers from other new members are not answers from normal
		// replicas: start an ordinary recovery with a fresh nonce.
		r.startRecovery(false)
		return
	}
	for i, resp := range r.rec.responses {
		if i != r.index && (resp == nil || resp.View > 0 || resp.Op > 0) {
			return
		}
	}
	r.bootstrapDone()
}

// bootstrapDone starts the new cluster's view 0.
func (r *Replica) bootstrapDone() {
	r.rec = recoveryState{}
	r.enterNormal(0)
	if r.isPrimary() {
		r.becomePrimary()
	}
}
