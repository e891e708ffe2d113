package sim

import "github.com/vr-go/vr/message"

// stalledBackup is the state of the "stalled-backup" episode, which aims
// at review finding C (a driver that reads its clock once per drain) on 3
// replicas. With p the primary of the current view v, s a backup and o
// the other backup:
//
//	phase 1: o is cut off from p both ways and times out; its
//	         view-change messages to s are held back. Of s's messages to p only
//	         PrepareOKs of view v arrive, so nothing tells p of a later
//	         view. Each client can reach only p's side or only the
//	         backups' side; those on p's side only read.
//	stall:   once o has moved to view v+1, s's next step is slow (a
//	         checkpoint, a GC pause) for up to a view-change timeout; p's
//	         Commits and Prepares queue behind it.
//	phase 2: as soon as s's drain has ended, o's held messages reach s,
//	         and the link works again: s and o change to view v+1 once
//	         their lease promises allow it, and the clients on their side
//	         write in v+1.
//	phase 3: the network heals; p learns of the new view. A quiet spell
//	         follows, then it repeats.
//
// When s's drain ends, it accepts the queued Commits and Prepares and
// echoes p's newest stamp: p's lease runs from that stamp. A correct
// driver catches s's clock up before each of those inputs, so s's promise
// runs from when it accepted them and outlasts p's lease. A driver that
// read the clock when the drain began makes s promise from before the
// stall: its promise has nearly run out when the drain ends, so s and o
// form view v+1 and commit writes while p still answers reads under the
// lease (until p, no longer hearing s, steps down): stale reads, caught by
// the history check.
type stalledBackup struct {
	p, s, o int
	view    uint64
	// clientSide[c] is the side client c can reach: 0 is p, 1 the backups.
	clientSide []int
	stalled    bool      // s's stall was set
	deadline   int64     // end of phase 1 at the latest
	held       []heldMsg // o's view-change messages to s (phase 1)
}

// stalledBackupStep enters phase (0 = quiet spell) and schedules the next.
func (r *run) stalledBackupStep(phase int) {
	ep := &r.ep.stall
	next, dur := phase+1, int64(0)
	switch phase {
	case 0:
		r.releaseStalledHeld()
		r.net.drop = nil
		dur = r.between(150_000, 400_000)
	case 1:
		if r.now+800_000 > r.quietAt || !r.stalledBackupRoles() {
			// The episode must play out within the fault phase.
			next, dur = 0, 50_000
			break
		}
		ep.deadline = r.now + 500_000
		r.net.drop = r.dropAroundStalledBackup
		next, dur = pollPhase, pollEvery
	case pollPhase:
		next, dur = r.pollStalledBackup()
	case 2:
		r.releaseStalledHeld()
		r.net.drop = r.dropAroundP
		dur = r.between(300_000, 800_000)
	default:
		r.net.drop, r.readers = nil, nil
		next, dur = 0, r.between(200_000, 500_000)
	}
	if phase != pollPhase {
		r.logf("stalled-backup phase %d (p %d s %d o %d)", phase, ep.p, ep.s, ep.o)
	}
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// pollStalledBackup stalls s once o has moved to view v+1, and ends phase
// 1 once s's stalled drain has ended (or at the deadline).
func (r *run) pollStalledBackup() (next int, dur int64) {
	ep := &r.ep.stall
	s, o := r.replicas[ep.s], r.replicas[ep.o]
	switch {
	case r.now >= ep.deadline:
		return 2, 0
	case !ep.stalled && o.up && o.status == stateViewChange && o.view == ep.view+1:
		tick := us(r.opts.Tick)
		s.forcedStall = r.between(tick*simViewChangeTicks, 2*tick*simViewChangeTicks)
		ep.stalled = true
		r.logf("stalled-backup: replica %d stalls for %.3fms at its next step", ep.s, float64(s.forcedStall)/1000)
	case ep.stalled && s.forcedStall == 0 && !r.busy(s):
		r.releaseStalledHeld()
		return 2, 0
	}
	return pollPhase, pollEvery
}

// stalledBackupRoles picks p, s and o from the current view and each
// client's side; it fails unless 3 replicas are up and normal in one view.
func (r *run) stalledBackupRoles() bool {
	v, ok := r.settledView3()
	if !ok {
		return false
	}
	p := int(v % 3)
	s := (p + 1 + r.rng.IntN(2)) % 3
	ep := stalledBackup{p: p, s: s, o: 3 - p - s, view: v}
	// At least one client on each side; those on p's side only read
	// while the episode lasts.
	first := r.rng.IntN(2)
	for c := range r.clients {
		side := r.rng.IntN(2)
		if c < 2 {
			side = (first + c) % 2
		}
		ep.clientSide = append(ep.clientSide, side)
	}
	r.readers = map[int]bool{}
	for c, side := range ep.clientSide {
		r.readers[c] = side == 0
	}
	r.ep.stall = ep
	return true
}

// side is the side node is on: p's (0) or the backups' (1).
func (ep *stalledBackup) side(r *run, node int) int {
	if node >= r.n {
		return ep.clientSide[node-r.n]
	}
	if node == ep.p {
		return 0
	}
	return 1
}

// dropAroundStalledBackup is phase 1: o's view-change messages to s are
// held back, besides what dropAroundP loses.
func (r *run) dropAroundStalledBackup(from, to int, m message.Message) bool {
	ep := &r.ep.stall
	if from == ep.o && to == ep.s && isViewChangeMsg(m) {
		if len(ep.held) < maxHeld {
			ep.held = append(ep.held, heldMsg{from: from, to: to, inc: r.replicas[from].inc, msg: m})
			r.res.MessagesHeld++
		}
		return true
	}
	return r.dropAroundP(from, to, m)
}

// releaseStalledHeld delivers what phase 1 held back, in order.
func (r *run) releaseStalledHeld() {
	ep := &r.ep.stall
	for k, h := range ep.held {
		r.scheduleDelivery(h.from, h.to, h.msg, r.between(minDelay, maxDelay)+int64(k))
	}
	ep.held = nil
}

// dropAroundP cuts p from o and from the clients of the backups' side,
// and s from p's clients; of s's messages to p only its PrepareOKs of view
// v arrive (nothing tells p of a later view).
func (r *run) dropAroundP(from, to int, m message.Message) bool {
	ep := &r.ep.stall
	switch {
	case from == ep.s && to == ep.p:
		ok, isOK := m.(*message.PrepareOK)
		return !isOK || ok.View != ep.view
	case from < r.n && to < r.n:
		return (from == ep.p && to == ep.o) || (from == ep.o && to == ep.p)
	}
	return ep.side(r, from) != ep.side(r, to)
}

// isViewChangeMsg reports whether m belongs to the view-change protocol.
func isViewChangeMsg(m message.Message) bool {
	switch m.(type) {
	case *message.StartViewChange, *message.DoViewChange, *message.StartView:
		return true
	}
	return false
}
