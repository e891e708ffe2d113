package core

import "github.com/vr-go/vr/message"

// recoveryState tracks the recovery protocol of a replica that lost its
// state.
type recoveryState struct {
	nonce     uint64
	responses []*message.RecoveryResponse // per replica, with our nonce
}

// startRecovery enters the recovering status with a fresh nonce. The
// replica takes no part in the protocol until it has recovered.
func (r *Replica) startRecovery() {
	r.status = StatusRecovering
	r.rec.nonce = r.rand.next()
	r.rec.responses = make([]*message.RecoveryResponse, r.n)
	r.resetViewTimer()
	r.broadcast(&message.Recovery{Replica: uint8(r.index), Nonce: r.rec.nonce})
}

func (r *Replica) tickRecovery() {
	if r.retryDue() {
		r.broadcast(&message.Recovery{Replica: uint8(r.index), Nonce: r.rec.nonce})
	}
}

// onRecovery answers a recovering replica. Only a replica in normal status
// answers; only the primary includes its log.
func (r *Replica) onRecovery(m *message.Recovery) {
	from := int(m.Replica)
	answer := r.status == StatusNormal ||
		(r.cfg.Bugs.RecoveryInViewChange && r.status == StatusViewChange)
	if from >= r.n || from == r.index || !answer {
		return
	}
	resp := &message.RecoveryResponse{View: r.view, Nonce: m.Nonce, Replica: uint8(r.index)}
	if r.isPrimary() {
		resp.Op, resp.Commit, resp.Log = r.op(), r.commit, r.wholeLog()
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
	count := 0
	var top uint64
	for _, resp := range r.rec.responses {
		if resp != nil {
			count++
			top = max(top, resp.View)
		}
	}
	primary := r.rec.responses[r.primaryOf(top)]
	if count < r.f+1 || primary == nil || primary.View != top {
		return
	}
	r.replaceLog(0, primary.Log)
	r.enterNormal(top)
	r.rec = recoveryState{}
	r.send(r.primaryOf(r.view), &message.PrepareOK{View: r.view, Op: r.op(), Replica: uint8(r.index)})
	r.learnCommit(primary.Commit)
}
