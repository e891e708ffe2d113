package core

import "github.com/vr-go/vr/message"

// Read leases (paper §6.3). A backup that accepts a Prepare or Commit from
// its primary promises not to send DoViewChange for a later view for
// LeaseTicks of its own clock from then on. The primary stamps each Prepare
// and Commit with its own clock (Sent) and backups echo the latest stamp in
// PrepareOK. With f echoes of stamp s, the primary knows that no other view
// can start before f backups' promises run out, so it may answer reads
// alone until its own clock reaches s + primaryLeaseTicks: the promise's
// length shortened for the worst drift MaxClockDrift allows between its
// clock and theirs (and a tick of rounding on each side).
//
// A replica that restarts may have made such a promise before it crashed,
// so it sends no DoViewChange for LeaseTicks after it starts. A new primary
// answers lease reads only after it executed every op of its view's
// starting log: a write that completed in an earlier view is then in its
// state.

// Querier is implemented by a StateMachine that can answer read-only
// operations without changing its state. Without it every read goes
// through the log.
type Querier interface {
	// Query returns what Apply would return for op, without changing the
	// state, and true; or false if op is not read-only.
	Query(op []byte) ([]byte, bool)
}

// leaseState is the replica's part in read leases.
type leaseState struct {
	grantUntil  uint64   // no DoViewChange for a later view before this tick
	echo        uint64   // backup: Sent of the latest Prepare/Commit accepted in this view
	acks        []uint64 // primary: the latest echo from each replica in this view
	viewStartOp uint64   // primary: the op-number when it took over its view
	staleUntil  uint64   // planted LeaseAcrossEpochs: the old epoch's lease (reconfig.go)
}

// grantLease records the promise a backup makes by accepting a Prepare or
// Commit stamped sent from its primary.
func (r *Replica) grantLease(sent uint64) {
	r.lease.grantUntil = max(r.lease.grantUntil, r.now+uint64(r.cfg.LeaseTicks))
	r.lease.echo = max(r.lease.echo, sent)
}

// leaseBlocksDoViewChange reports whether a promise made to the primary of
// an earlier view still forbids sending DoViewChange.
func (r *Replica) leaseBlocksDoViewChange() bool { return r.now < r.lease.grantUntil }

// primaryLeaseTicks is how long, on its own clock, a primary may rely on a
// promise made in answer to a message it stamped: (L-1)(1-ρ)/(1+ρ) - 1 for
// a promise of L ticks and a drift bound ρ per clock.
func (r *Replica) primaryLeaseTicks() uint64 {
	l, rho := uint64(r.cfg.LeaseTicks), uint64(r.cfg.MaxClockDrift)
	if r.cfg.bugs.LeaseIgnoresDrift {
		rho = 0
	}
	e := (l - 1) * (1000 - rho) / (1000 + rho)
	if e < 2 {
		return 0
	}
	return e - 1
}

// onLeaseEcho records a backup's echo at the primary.
func (r *Replica) onLeaseEcho(from int, echo uint64) {
	if echo <= r.now && echo > r.lease.acks[from] {
		r.lease.acks[from] = echo
	}
}

// holdsLease reports whether the primary may answer a read alone now.
func (r *Replica) holdsLease() bool {
	if r.status != StatusNormal || !r.isPrimary() || r.needsCheckpoint() ||
		r.executed < r.lease.viewStartOp || r.transitioning() {
		return false
	}
	if r.f == 0 {
		return true
	}
	e := r.primaryLeaseTicks()
	s := kthLargest(r.lease.acks, r.f)
	return e > 0 && s > 0 && r.now < s+e
}

// query answers a read-only op from the current state.
func (r *Replica) query(op []byte) ([]byte, bool) {
	q, ok := r.sm.(Querier)
	if !ok {
		return nil, false
	}
	return q.Query(op)
}

// onRead answers KindRead (under a lease, at the primary) and
// KindStaleRead (at any normal replica). It reports whether m was handled;
// a KindRead it cannot answer goes through the log.
func (r *Replica) onRead(m *message.Request) bool {
	switch m.Kind {
	case message.KindStaleRead:
		if r.status != StatusNormal || r.needsCheckpoint() {
			return true // dropped: the client retries elsewhere
		}
		if res, ok := r.query(m.Payload); ok {
			r.reply(m.ClientID, m.RequestNum, message.StatusOK, res)
		} else {
			r.reply(m.ClientID, m.RequestNum, message.StatusRejected, nil)
		}
		return true
	case message.KindRead:
		if r.cfg.bugs.LeaseAcrossEpochs && r.now < r.lease.staleUntil && r.sm != nil {
			if res, ok := r.query(m.Payload); ok {
				r.leaseReads++
				r.reply(m.ClientID, m.RequestNum, message.StatusOK, res)
				return true
			}
		}
		if !r.holdsLease() {
			return false
		}
		res, ok := r.query(m.Payload)
		if ok {
			r.leaseReads++
			r.reply(m.ClientID, m.RequestNum, message.StatusOK, res)
		}
		return ok
	}
	return false
}
