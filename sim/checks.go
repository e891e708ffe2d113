package sim

import (
	"bytes"
	"fmt"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// checker holds what the cluster as a whole has committed and executed, to
// compare every replica against.
type checker struct {
	committed []message.Entry // committed[op-1]: first committed copy seen
	results   []opResult      // results[op-1]: first execution seen
	digests   map[uint64]uint64
	maxNormal uint64                // highest view any replica was normal in
	ran       map[requestKey]uint64 // the op each request reached a state machine at
	// commitViews: per epoch and view, the highest op a primary counted
	// committed (commitview.go).
	commitViews commitViews
}

// opResult is the outcome of executing one op.
type opResult struct {
	status message.ReplyStatus
	result []byte
}

func (c *checker) init() {
	c.digests = make(map[uint64]uint64)
	c.ran = make(map[requestKey]uint64)
}

// checkReplica runs the per-step checks on the replica that just stepped.
// It returns the end of rep's log, ok when the checks ran (no violation).
func (r *run) checkReplica(rep *replica, applied []core.Applied) (logEnd uint64, ok bool) {
	r.checkAtMostOnce(rep, applied)
	if r.viol != nil {
		return 0, false
	}
	rep.core.CheckInvariants()
	r.checkApplied(rep, applied)
	info := &rep.info
	rep.core.InfoTo(info)
	if info.Commit < rep.commit {
		r.violate(KindCommitRegress, "replica %d commit went from %d to %d", rep.idx, rep.commit, info.Commit)
		return 0, false
	}
	rep.commit = info.Commit
	r.checkWitnessStep(rep, info, applied, false)
	r.checkQuorumStep(rep, info)
	r.checkEpochStep(rep, info)
	r.checkCommitView(rep, info)
	r.res.LeaseReads += int(info.LeaseReads - rep.leaseReads)
	rep.leaseReads = info.LeaseReads
	r.res.LogCatchUps += int(info.Counters.LogCatchUps - rep.logCatchUps)
	r.res.LogEntriesFetched += int(info.Counters.LogEntriesFetched - rep.logFetched)
	rep.logCatchUps, rep.logFetched = info.Counters.LogCatchUps, info.Counters.LogEntriesFetched
	r.checkCommitted(rep, info.Commit)
	r.checkDigest(rep, info.Executed)
	r.observeInfo(rep, info)
	return info.Op, true
}

// checkQuorumStep checks, on the replica that stepped, that it takes no
// standby for a primary and, if it is a primary, that its commit rests on
// f+1 voting members.
func (r *run) checkQuorumStep(rep *replica, info *core.Info) {
	m := info.Members
	if r.viol != nil || m.Size() == 0 {
		return
	}
	if p := info.Primary; p >= 0 && p < m.Size() && m.Members[p].Role == core.RoleStandby {
		r.violate(KindStandby, "replica %d takes standby %d (id %d) for the primary of view %d of epoch %d",
			rep.idx, p, m.Members[p].ID, info.View, info.Epoch)
		return
	}
	if info.AckCommit == 0 || len(info.Acked) != m.Size() {
		return
	}
	votes, standbys := 0, 0
	for i, a := range info.Acked {
		switch {
		case a < info.AckCommit:
		case m.Members[i].Role == core.RoleStandby:
			standbys++
		default:
			votes++
		}
	}
	need := voters(m)/2 + 1
	switch {
	case votes >= need:
	case standbys > 0:
		r.violate(KindStandby, "primary %d committed op %d in view %d of epoch %d on %d voting members and %d standbys, want f+1 = %d voting",
			rep.idx, info.AckCommit, info.View, info.Epoch, votes, standbys, need)
	default:
		r.violate(KindProtocol, "primary %d committed op %d in view %d on %d acknowledgements, want f+1 = %d",
			rep.idx, info.AckCommit, info.View, votes, need)
	}
}

// checkApplied checks that executions are consecutive and agree with every
// other replica's execution of the same op.
func (r *run) checkApplied(rep *replica, applied []core.Applied) {
	for _, a := range applied {
		op := a.Entry.Op
		if a.Restored {
			if op <= rep.executed {
				r.violate(KindProtocol, "replica %d restored a checkpoint at op %d after executing %d", rep.idx, op, rep.executed)
				return
			}
			rep.executed = op
			r.res.CheckpointsInstalled++
			continue
		}
		if op != rep.executed+1 {
			r.violate(KindProtocol, "replica %d executed op %d after %d", rep.idx, op, rep.executed)
			return
		}
		rep.executed = op
		if !r.agreeCommitted(rep, a.Entry) {
			return
		}
		if op > uint64(len(r.chk.results)) {
			r.chk.results = append(r.chk.results, opResult{a.Status, bytes.Clone(a.Result)})
			continue
		}
		want := r.chk.results[op-1]
		if want.status != a.Status || !bytes.Equal(want.result, a.Result) {
			r.violate(KindStateDivergence, "replica %d op %d executed to status %d result %x; first execution gave %d %x",
				rep.idx, op, a.Status, a.Result, want.status, want.result)
			return
		}
	}
}

// checkCommitted compares the entries rep newly holds as committed with the
// first committed copy of each op.
func (r *run) checkCommitted(rep *replica, commit uint64) {
	for op := rep.checked + 1; op <= commit && r.viol == nil; op++ {
		e, ok := rep.core.Entry(op)
		if !ok {
			continue // not held (compacted): nothing to compare
		}
		r.agreeCommitted(rep, e)
	}
	rep.checked = max(rep.checked, commit)
}

// agreeCommitted records e as committed at e.Op, or compares it with the
// copy recorded first. Ops are committed in order, so the record is dense.
func (r *run) agreeCommitted(rep *replica, e message.Entry) bool {
	op := e.Op
	n := uint64(len(r.chk.committed))
	switch {
	case op == n+1:
		r.chk.committed = append(r.chk.committed, cloneEntry(e))
		return true
	case op > n+1:
		// A replica committed op without ops n+1..op-1 known committed
		// anywhere: possible only if those were compacted. Record nothing.
		return true
	}
	want := r.chk.committed[op-1]
	if want.ClientID != e.ClientID || want.RequestNum != e.RequestNum ||
		want.Kind != e.Kind || !bytes.Equal(want.Payload, e.Payload) {
		r.violate(KindDivergence, "replica %d has %s committed at op %d; first committed copy was %s",
			rep.idx, entryString(e), op, entryString(want))
		return false
	}
	return true
}

// checkDigest compares rep's state digest with the first digest seen after
// executing the same ops.
func (r *run) checkDigest(rep *replica, executed uint64) {
	if executed == rep.digestAt {
		return
	}
	rep.digestAt = executed
	d := r.digestOf(rep)
	want, ok := r.chk.digests[executed]
	if !ok {
		r.chk.digests[executed] = d
		return
	}
	if want != d {
		r.violate(KindStateDivergence, "replica %d state digest %016x after op %d; first seen %016x",
			rep.idx, d, executed, want)
	}
}

// observe tracks rep's status and view: view changes, recoveries, and the
// stability monitor's disruption check.
func (r *run) observe(rep *replica) {
	info := rep.core.Info()
	r.observeInfo(rep, &info)
}

// observeInfo is observe given rep's Info.
func (r *run) observeInfo(rep *replica, info *core.Info) {
	if info.PromisedView > 0 {
		// It sent a DoViewChange: a view may have formed on its promise,
		// so it holds something even if it never was normal. Crashing it
		// counts against f, and it restarts by recovery (bootstrap seed
		// 94219; docs/protocol.md, "First start versus restart").
		rep.joined = true
	}
	if rep.amnesiac && info.Status == core.StatusNormal && info.Executed >= info.LogBase {
		rep.amnesiac = false
	}
	if info.Status == rep.status && info.View == rep.view {
		return
	}
	r.mon.checkLeave(r, rep, info)
	if info.Status == core.StatusNormal {
		if info.View > r.chk.maxNormal {
			r.chk.maxNormal = info.View
			r.res.ViewChanges++
		}
		if rep.recovering {
			rep.recovering = false
			r.res.Recoveries++
		}
		rep.joined = true
	}
	r.logf("replica %d: %v view %d (op %d commit %d)", rep.idx, info.Status, info.View, info.Op, info.Commit)
	rep.status, rep.view, rep.since = info.Status, info.View, r.now
}

func cloneEntry(e message.Entry) message.Entry {
	e.Payload = bytes.Clone(e.Payload)
	return e
}

func entryString(e message.Entry) string {
	return fmt.Sprintf("{op %d view %d client %d req %d kind %d payload %x}",
		e.Op, e.View, e.ClientID, e.RequestNum, e.Kind, e.Payload)
}
