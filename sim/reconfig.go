package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Reconfiguration runs (Faults.Reconfig: profiles reconfig and
// reconfig-durable) give the cluster reconfigPool replica slots: the first
// Options.Replicas are the configuration of epoch 0, the others start as
// joiners (core.Config.Join) that wait for a StartEpoch naming them. An
// administrator, a client of its own after the application clients, sends
// up to maxReconfigs RECONFIGURATIONs during the fault phase, each drawn
// from the newest configuration it sees: 3 -> 5, 5 -> 3, replacing a
// member, removing the primary, or (3 members, enough unused slots) a
// disjoint group. Ids are never reused: new members come from the slots at
// or above the configuration's NextID.
//
// Besides every other check (the agreement of committed ops and state
// digests, by op-number, holds across epochs; the clients' history is
// checked whole), after every step the simulator checks that a replica
// enters every epoch in view 0, that no replica of an epoch holds an op
// after the RECONFIGURATION that ended it, that every epoch ended at one
// op, and that a replica reports it may shut down (Output.Retire) only
// after f'+1 members of its new epoch sent EpochStarted while holding the
// epoch's first state (KindEpoch). At the end, the members of the newest
// epoch must have converged; replicas outside it are not checked.
//
// One replica may be down at a time (every configuration has f >= 1);
// the disruption monitor is off (a new epoch moves views back to 0).

// reconfigPool is the number of replica slots of a reconfiguration run.
const reconfigPool = 7

// maxReconfigs bounds the RECONFIGURATIONs of a run.
const maxReconfigs = 3

// admin is the administrator of a reconfiguration run.
type admin struct {
	initial    int // the size of epoch 0's configuration; 0: no reconfiguration run
	busy       bool
	registered bool
	session    uint64 // the session's identity, from the Register's reply
	req        uint64
	target     []message.Member // the configuration asked for
	promotes   bool             // target promotes a standby
	demotes    bool             // target demotes a full replica to a standby
	// witnessChange: target adds or removes a witness.
	witnessChange bool
	epoch         uint64          // the epoch it asked from
	from          core.Membership // that epoch's configuration
	done          int
	scripted      bool // a scenario test starts each reconfiguration (scriptReconfig)
	// endOp[e] is the op of the RECONFIGURATION that ended epoch e;
	// started[e] the ids that sent EpochStarted for e holding its state.
	endOp   map[uint64]uint64
	started map[uint64]map[uint8]bool
	refused []refusedAsk // the asks answered with a refusal (refusals.go)
}

// clients is the number of client ids the administrator takes.
func (a *admin) clients() int {
	if a.initial > 0 {
		return 1
	}
	return 0
}

// adminNode is the administrator's network node.
func (r *run) adminNode() int { return r.n + len(r.clients) }

// adminID is the administrator's client id.
func (r *run) adminID() uint64 { return uint64(len(r.clients) + 1) }

// setupAdmin schedules the administrator's first move.
func (r *run) setupAdmin() {
	if r.adm.initial == 0 {
		return
	}
	r.adm.endOp, r.adm.started = map[uint64]uint64{}, map[uint64]map[uint8]bool{}
	if r.adm.scripted {
		return
	}
	r.schedule(r.between(us(r.opts.Tick)*10, r.quietAt/2), event{kind: evAdmin})
}

// reconfigBoot configures a replica of a reconfiguration run: a member of
// epoch 0's configuration, or a joiner with its slot as its id.
func (r *run) reconfigBoot(cfg *core.Config, rep *replica) {
	cfg.ReplicaCount, cfg.Membership = r.adm.initial, r.membership()
	rep.epochSeen = false
	if rep.idx >= r.adm.initial {
		cfg.Join, cfg.JoinID, cfg.NewCluster = true, uint8(rep.idx), false
		// As the node does (node.Config.coreConfig): a joiner without a
		// durable state recovers once it joined, since it cannot tell a
		// first start from a restart that forgot its promises.
		cfg.Recovering = cfg.Restart == nil && !r.freshJoiners
		for id := range r.n {
			cfg.JoinPeers = append(cfg.JoinPeers, uint8(id))
		}
	}
}

// latestConfig returns the configuration of the newest epoch an up replica
// is in (epoch 0's if none).
func (r *run) latestConfig() core.Membership {
	best := r.membership()
	for _, rep := range r.replicas {
		if !rep.up {
			continue
		}
		if m := rep.core.Info().Members; m.Size() > 0 && m.Epoch > best.Epoch {
			best = m
		}
	}
	return best
}

// latestPrimary returns the id of the primary of view v in the newest
// configuration: round robin over its full replicas (never a standby).
func (r *run) latestPrimary(v uint64) int {
	m := r.latestConfig()
	var full []uint8
	for _, mem := range m.Members {
		if mem.Role == core.RoleVoter {
			full = append(full, mem.ID)
		}
	}
	return int(full[int(v%uint64(len(full)))])
}

// adminStep starts a reconfiguration or sends the one under way again.
func (r *run) adminStep() {
	a := &r.adm
	if r.viol != nil {
		return
	}
	if !a.busy {
		if r.quiet || a.done >= maxReconfigs || a.scripted {
			return
		}
		if !r.planReconfig() {
			r.schedule(r.now+r.between(50_000, 200_000), event{kind: evAdmin})
			return
		}
	}
	r.adminSend()
	r.schedule(r.now+40_000, event{kind: evAdmin})
}

// adminSend sends the administrator's request to every replica slot: only
// the primary of the current configuration takes it.
func (r *run) adminSend() {
	a := &r.adm
	req := &message.Request{ClientID: r.adminID(), RequestNum: a.req, Kind: message.KindRegister}
	if a.registered {
		req.Kind, req.Session = message.KindReconfigure, a.session
		req.Payload = message.Reconfiguration{Epoch: a.epoch, Members: a.target}.Encode()
	}
	for id := 0; id < r.n; id++ {
		r.send(r.adminNode(), id, copyMessage(req))
	}
}

// laggingMembers counts the members of the newest configuration that are
// down or do not take part in its epoch yet: a joiner fetching the
// epoch's first state is down as far as the epoch's quorums go.
func (r *run) laggingMembers() int {
	cfg := r.latestConfig()
	k := 0
	for _, m := range cfg.Members {
		rep := r.replicas[m.ID]
		if !rep.up || rep.recovering {
			k++
			continue
		}
		if info := rep.core.Info(); info.Epoch != cfg.Epoch || info.Status == core.StatusTransitioning ||
			info.Status == core.StatusRecovering {
			k++
		}
	}
	return k
}

// latestView returns the highest view a normal replica of epoch e is in.
func (r *run) latestView(e uint64) uint64 {
	var v uint64
	for _, rep := range r.replicas {
		if rep.up && rep.status == core.StatusNormal && rep.core.Info().Epoch == e {
			v = max(v, rep.view)
		}
	}
	return v
}

// adminReply handles a reply to the administrator.
func (r *run) adminReply(from int, rp *message.Reply) {
	a := &r.adm
	if !a.busy || rp.RequestNum != a.req {
		return
	}
	switch {
	case rp.Status == message.StatusSessionEvicted:
		a.registered, a.busy = false, false
		a.req++
		r.adminAgain()
	case !a.registered:
		id, ok := message.DecodeSession(rp.Result)
		if rp.Status != message.StatusOK || !ok {
			r.violate(KindProtocol, "administrator's registration answered with status %d %x", rp.Status, rp.Result)
			return
		}
		a.registered, a.session = true, id
		a.req++
		r.adminSend()
	case rp.Status == message.StatusOK:
		a.busy = false
		a.done++
		r.checkHolders()
		r.res.Reconfigurations++
		if a.promotes {
			r.res.StandbyPromotions++
		}
		if a.witnessChange {
			r.res.WitnessChanges++
		}
		if a.demotes {
			r.res.Demotions++
		}
		r.logf("admin: reconfiguration from epoch %d done (replica %d answered)", a.epoch, from)
		r.adminAgain()
	case rp.Status == message.StatusRefused && len(rp.Result) > 0 &&
		(message.RefusalReason(rp.Result[0]) == message.RefuseStaleEpoch ||
			message.RefusalReason(rp.Result[0]) == message.RefuseInProgress ||
			message.RefusalReason(rp.Result[0]) == message.RefuseStandbyLagging ||
			message.RefusalReason(rp.Result[0]) == message.RefuseNewMajority ||
			message.RefusalReason(rp.Result[0]) == message.RefuseTooManyWitnesses):
		// Another epoch began, the last one is still moving, a standby to
		// promote lags, the new members would be a majority (an
		// administrator adds them as standbys first), or the plan has
		// more than f' witnesses: draw again. A
		// scenario's administrator asks again until its move is admitted
		// (adminStep sends while busy), when a member only lags: by a new
		// request, since the refusal is the refused one's outcome.
		why := message.RefusalReason(rp.Result[0])
		if a.scripted && why.Transient() {
			r.logf("admin: reconfiguration from epoch %d refused (%v); asking again", a.epoch, why)
			a.req++
			return
		}
		r.rememberRefusal()
		a.busy = false
		switch why {
		case message.RefuseStandbyLagging:
			r.res.StandbyRefusals++
		case message.RefuseNewMajority:
			r.res.NewMajorityRefusals++
		case message.RefuseTooManyWitnesses:
			r.res.WitnessRefusals++
		}
		r.adminAgain()
	default:
		r.violate(KindEpoch, "reconfiguration from epoch %d to %v answered with status %d %x",
			a.epoch, a.target, rp.Status, rp.Result)
	}
}

// targetLagging counts the voting members of the configuration the
// administrator asks for that would not take part in its epoch at once if
// replica x crashed now: x, the members down or recovering or without the
// state, and the new members (joiners recover once they joined: they count
// against f' as a recovering replica does, core.Replica.stateHolders).
func (r *run) targetLagging(x int) int {
	a := &r.adm
	k := 0
	for _, m := range a.target {
		if core.Role(m.Role) == core.RoleStandby {
			continue
		}
		rep := r.replicas[m.ID]
		if int(m.ID) == x || a.from.IndexOf(m.ID) < 0 || !rep.up || rep.recovering || r.lostState(rep) {
			k++
		}
	}
	return k
}

// targetFaults is f' of the configuration the administrator asks for.
func (r *run) targetFaults() int {
	voters := 0
	for _, m := range r.adm.target {
		if core.Role(m.Role) != core.RoleStandby {
			voters++
		}
	}
	return (voters - 1) / 2
}

// checkHolders checks an admitted reconfiguration: at least f'+1 voting
// members of the target were voting members or standbys of the epoch it
// was asked from (the others are joiners, which recover once they joined:
// core.Replica.stateHolders).
func (r *run) checkHolders() {
	a := &r.adm
	voters, holders := 0, 0
	for _, m := range a.target {
		if core.Role(m.Role) == core.RoleStandby {
			continue
		}
		voters++
		if a.from.IndexOf(m.ID) >= 0 {
			holders++
		}
	}
	if holders < (voters-1)/2+1 {
		r.violate(KindEpoch, "reconfiguration from epoch %d to %v admitted with %d of %d voting members holding the state, want f'+1 = %d",
			a.epoch, a.target, holders, voters, (voters-1)/2+1)
	}
}

// scriptReconfig has the administrator of a scenario ask, from the newest
// epoch, for the configuration of the given ids (full replicas).
func (r *run) scriptReconfig(ids ...uint8) {
	ms := make([]message.Member, len(ids))
	for i, id := range ids {
		ms[i] = message.Member{ID: id, Role: uint8(core.RoleVoter)}
	}
	r.scriptReconfigTo(ms...)
}

// scriptReconfigTo has the administrator of a scenario ask, from the
// newest epoch, for the configuration ms.
func (r *run) scriptReconfigTo(ms ...message.Member) {
	a := &r.adm
	cur := r.latestConfig()
	a.target, a.promotes, a.witnessChange, a.demotes = append(a.target[:0], ms...), false, false, false
	ids := make([]uint8, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		if j := cur.IndexOf(m.ID); j >= 0 && cur.IsStandby(j) && m.Role == uint8(core.RoleVoter) {
			a.promotes = true
		}
	}
	a.epoch, a.from, a.busy = cur.Epoch, cur, true
	a.req++
	r.logf("admin: reconfigure epoch %d -> %v (request %d, scripted)", a.epoch, ids, a.req)
	r.adminSend()
	r.schedule(r.now+40_000, event{kind: evAdmin})
}

// adminAgain schedules the administrator's next move.
func (r *run) adminAgain() {
	if r.adm.scripted {
		return
	}
	r.schedule(r.now+r.between(100_000, 500_000), event{kind: evAdmin})
}

// checkEpochStep checks the reconfiguration rules on the replica that
// stepped.
func (r *run) checkEpochStep(rep *replica, info *core.Info) {
	if r.adm.initial == 0 || r.viol != nil {
		return
	}
	if !rep.epochSeen {
		rep.epochSeen, rep.epoch = true, info.Epoch
	}
	if info.Epoch > rep.epoch {
		// The view it entered the epoch in: it may have left it since
		// (one Output covers a batch of inputs; a primary restarted from
		// its disk hands view 0 on at once).
		if info.EpochEntryView != 0 {
			r.violate(KindEpoch, "replica %d entered epoch %d in view %d", rep.idx, info.Epoch, info.EpochEntryView)
			return
		}
		if op, ok := r.adm.endOp[info.Epoch-1]; ok && op != info.EpochOp {
			r.violate(KindEpoch, "replica %d entered epoch %d after op %d; another after op %d", rep.idx, info.Epoch, info.EpochOp, op)
			return
		}
		if _, seen := r.adm.endOp[info.Epoch-1]; !seen {
			r.checkRefusedEpoch(info.Epoch, info.Members.Wire())
		}
		r.adm.endOp[info.Epoch-1] = info.EpochOp
		r.logf("replica %d: epoch %d after op %d, members %v", rep.idx, info.Epoch, info.EpochOp, info.Members.Members)
		rep.epoch = info.Epoch
	}
	if op, ok := r.adm.endOp[info.Epoch]; ok && info.Commit > op && info.Status != core.StatusTransitioning {
		r.violate(KindEpoch, "replica %d in epoch %d committed op %d after the RECONFIGURATION at op %d",
			rep.idx, info.Epoch, info.Commit, op)
	}
}

// checkEpochSend records the EpochStarted a replica sends, and checks
// that it holds the state it claims.
func (r *run) checkEpochSend(from int, m message.Message) {
	es, ok := m.(*message.EpochStarted)
	if !ok || r.adm.initial == 0 || from >= r.n {
		return
	}
	rep := r.replicas[from]
	if !rep.up {
		return
	}
	info := rep.core.Info()
	if info.Epoch != es.Epoch {
		return // moved on since it output the message (durable mode holds messages)
	}
	if info.Members.IndexOf(uint8(from)) < 0 || (info.Executed < info.EpochOp && info.Role != core.RoleWitness) {
		r.violate(KindEpoch, "replica %d sent EpochStarted for epoch %d without its state (epoch %d, executed %d, first op %d)",
			from, es.Epoch, info.Epoch, info.Executed, info.EpochOp)
		return
	}
	if r.adm.started[es.Epoch] == nil {
		r.adm.started[es.Epoch] = map[uint8]bool{}
	}
	r.adm.started[es.Epoch][uint8(from)] = true
}

// checkRetire checks that a replica reports it may shut down only after
// f'+1 members of its new epoch hold that epoch's first state.
func (r *run) checkRetire(rep *replica, out core.Output) {
	if !out.Retire || r.viol != nil {
		return
	}
	info := rep.core.Info()
	need, got := voters(info.Members)/2+1, 0
	for id := range r.adm.started[info.Epoch] {
		if i := info.Members.IndexOf(id); i >= 0 && info.Members.Members[i].Role != core.RoleStandby {
			got++ // a standby holding the state counts towards no f'+1
		}
	}
	if got < need {
		r.violate(KindEpoch, "replica %d may shut down after %d members of epoch %d started, want f'+1 = %d",
			rep.idx, got, info.Epoch, need)
		return
	}
	r.logf("replica %d: retired from epoch %d", rep.idx, info.Epoch)
}

// finalMembers returns the replicas the end-of-run checks cover: every
// replica, or in a reconfiguration run the members of the newest epoch.
func (r *run) finalMembers() []*replica {
	if r.adm.initial == 0 {
		return r.replicas
	}
	cfg := r.latestConfig()
	var reps []*replica
	for _, m := range cfg.Members {
		reps = append(reps, r.replicas[m.ID])
	}
	return reps
}
