package sim

import "fmt"

// finalChecks runs the end-of-run checks: every request answered, the
// cluster converged, and the history linearizable (only the last when the
// fault model was exceeded).
func (r *run) finalChecks() {
	if r.opts.Faults.BeyondF {
		// More than f replicas lost their state: the cluster may stall
		// for good, but what it did must still be linearizable.
		r.checkHistory()
		return
	}
	for _, c := range r.clients {
		if c.busy {
			r.violate(KindLiveness, "client %d request submitted at %.3fms still unanswered at the end",
				c.idx, float64(c.started)/1000)
			return
		}
	}
	r.checkConvergence()
	if r.viol == nil {
		r.checkAckedInLog()
	}
	if r.viol == nil {
		r.checkHistory()
	}
}

// checkAckedInLog requires every request a client got a result for to be
// in the converged cluster's committed log: no acknowledged write (or read)
// was lost, whatever crashed. Ops that left replica 0's log for a checkpoint
// are taken from the checker's record of committed ops, which every
// replica's committed entries were compared with as they committed.
func (r *run) checkAckedInLog() {
	c := r.finalMembers()[0].core
	inLog := make(map[ackedRequest]bool)
	for op := uint64(1); op <= c.Info().Commit; op++ {
		e, ok := c.Entry(op)
		if !ok && op <= uint64(len(r.chk.committed)) {
			e, ok = r.chk.committed[op-1], true
		}
		if ok {
			inLog[ackedRequest{e.ClientID, e.RequestNum}] = true
		}
	}
	for _, a := range r.acked {
		if !inLog[a] {
			r.violate(KindLostWrite, "client %d request %d was acknowledged but is not in the committed log", a.client, a.request)
			return
		}
	}
	r.res.AckedChecked = len(r.acked)
}

// checkConvergence requires every replica up, normal in one view, with
// equal op, commit and executed numbers and equal state digests.
func (r *run) checkConvergence() {
	members := r.finalMembers()
	first := members[0]
	if !first.up {
		r.violate(KindConvergence, "replica %d is down at the end", first.idx)
		return
	}
	ref := first // a full replica to compare with: the first member that is not a witness
	for _, rep := range members {
		if !r.isWitness(rep.idx) {
			ref = rep
			break
		}
	}
	if !ref.up {
		r.violate(KindConvergence, "replica %d is down at the end", ref.idx)
		return
	}
	want := ref.core.Info()
	wantDigest := r.digestOf(ref)
	for _, rep := range members {
		if !rep.up {
			r.violate(KindConvergence, "replica %d is down at the end", rep.idx)
			return
		}
		info := rep.core.Info()
		if info.Status != statusNormal || info.Epoch != want.Epoch || info.View != want.View || info.Op != want.Op ||
			info.Commit != want.Commit || info.Commit != info.Op {
			r.violate(KindConvergence, "not converged at the end: %s", r.describeReplicas())
			return
		}
		if r.isWitness(rep.idx) {
			continue // it holds no state to compare
		}
		if info.Executed != want.Executed {
			r.violate(KindConvergence, "not converged at the end: %s", r.describeReplicas())
			return
		}
		if d := r.digestOf(rep); d != wantDigest {
			r.violate(KindConvergence, "replica %d digest %016x differs from replica 0's %016x at op %d",
				rep.idx, d, wantDigest, info.Executed)
			return
		}
	}
}

// describeReplicas renders every replica's protocol state.
func (r *run) describeReplicas() string {
	s := ""
	for _, rep := range r.replicas {
		if !rep.up {
			s += fmt.Sprintf(" [%d down]", rep.idx)
			continue
		}
		i := rep.core.Info()
		s += fmt.Sprintf(" [%d %v view %d lnv %d op %d commit %d exec %d]",
			rep.idx, i.Status, i.View, i.LastNormalView, i.Op, i.Commit, i.Executed)
	}
	return s
}
