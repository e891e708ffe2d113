package sim

import "github.com/vr-go/vr/message"

// lostCheckpoint is the state of the "lost-checkpoint" episode, which aims
// at the stall found at large seed 42601 (plant jump-over-held-log) on 3
// diskless replicas with a checkpoint after nearly every op. With p the
// primary of the current view v, l a backup that lags and h the other:
//
//	phase 1: l gets no log data (it stays a normal backup of v, hearing
//	         Commits, with a stale log); p commits with h's PrepareOKs.
//	         p's Commits to h are lost, and so is any Prepare that would
//	         tell h of a commit two ops past the one it knows: h ends up
//	         holding ops it does not know committed, while p executes
//	         them and checkpoints. The phase ends once p's log starts
//	         above l's log end and above h's commit-number: the only
//	         checkpoint at p's base is p's own.
//	phase 2: h is cut off; l and p talk again, but for checkpoint
//	         chunks. l's state transfer asks p, and p's NewState, whose
//	         log starts above what l executed, is held back.
//	phase 3: p crashes (diskless), and then the held NewState reaches l:
//	         l's log jumps to p's base, and l waits for a checkpoint that
//	         only the dead p held. The network heals: l and h change
//	         views; p restarts and recovers. A quiet spell follows, then
//	         it repeats.
//
// h holds the ops up to l's base in its log. A correct core keeps them (h
// adopting a log whose base it holds) or lends them (a new primary l
// filling its log from h's DoViewChange); the planted bug has both wait,
// forever, for a checkpoint that only p held.
type lostCheckpoint struct {
	p, l, h  int
	deadline int64
	phase    int       // the phase the poll watches
	held     []heldMsg // p's NewState to l (phase 2)
}

// lostCheckpointStep enters phase (0 = quiet spell) and schedules the next.
func (r *run) lostCheckpointStep(phase int) {
	ep := &r.ep.lost
	next, dur := pollPhase, int64(pollEvery)
	switch phase {
	case 0:
		r.net.drop = nil
		next, dur = 1, r.between(100_000, 300_000)
	case 1:
		if r.now+900_000 > r.quietAt || !r.lostCheckpointRoles() {
			next, dur = 0, 50_000
			break
		}
		ep.deadline = r.now + r.between(300_000, 600_000)
		r.net.drop = r.dropAroundLagger
	case 2:
		ep.deadline = r.now + 200_000
		r.net.drop = r.dropAroundJump
	case pollPhase:
		next, dur = r.pollLostCheckpoint()
	default:
		r.net.drop = nil
		r.crashWithinF(ep.p, 20_000, 300_000)
		for _, h := range ep.held {
			r.scheduleDelivery(h.from, h.to, h.msg, r.between(minDelay, maxDelay))
		}
		ep.held = nil
		next, dur = 0, r.between(300_000, 600_000)
	}
	if phase != pollPhase {
		ep.phase = phase
		r.logf("lost-checkpoint phase %d (p %d l %d h %d)", phase, ep.p, ep.l, ep.h)
	}
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// pollLostCheckpoint watches for the end of phases 1 to 3; each also ends
// at its deadline (the episode then plays out harmlessly).
func (r *run) pollLostCheckpoint() (next int, dur int64) {
	ep := &r.ep.lost
	p, l, h := r.replicas[ep.p], r.replicas[ep.l], r.replicas[ep.h]
	if !p.up || !l.up || !h.up || r.now >= ep.deadline {
		return 3, 0
	}
	pi, li, hi := p.core.Info(), l.core.Info(), h.core.Info()
	switch {
	case ep.phase == 1 && pi.LogBase > li.Op && pi.LogBase > hi.Commit:
		return 2, 0
	case ep.phase == 2 && len(ep.held) > 0:
		return 3, 0
	}
	return pollPhase, pollEvery
}

// lostCheckpointRoles picks p, l and h; it fails unless 3 replicas are up
// and normal in one view.
func (r *run) lostCheckpointRoles() bool {
	p, l, h, ok := r.primaryAndBackups()
	if ok {
		r.ep.lost = lostCheckpoint{p: p, l: l, h: h}
	}
	return ok
}

// primaryAndBackups returns the primary of the settled view of 3 replicas
// and its two backups, the first drawn at random; ok is false unless 3
// replicas are up and normal in one view.
func (r *run) primaryAndBackups() (p, x, y int, ok bool) {
	v, ok := r.settledView3()
	if !ok {
		return 0, 0, 0, false
	}
	p = int(v % 3)
	x = (p + 1 + r.rng.IntN(2)) % 3
	return p, x, 3 - p - x, true
}

// dropAroundLagger is phase 1: l gets no log data; p's Commits to h are
// lost, and its Prepares that carry a commit-number two past h's.
func (r *run) dropAroundLagger(from, to int, m message.Message) bool {
	ep := &r.ep.lost
	if from >= r.n || to >= r.n {
		return false
	}
	switch m := m.(type) {
	case *message.GetState, *message.NewState, *message.GetCheckpoint, *message.CheckpointChunk:
		return to == ep.l || from == ep.l
	case *message.Prepare:
		if to == ep.h && from == ep.p {
			return m.Commit > r.replicas[ep.h].core.Info().Commit+1
		}
		return to == ep.l || from == ep.l
	case *message.Commit:
		return from == ep.p && to == ep.h
	}
	return false
}

// dropAroundJump is phase 2: h is cut off, and l gets everything from p
// but checkpoint chunks and a NewState that makes its log jump, which is
// held back.
func (r *run) dropAroundJump(from, to int, m message.Message) bool {
	ep := &r.ep.lost
	if from >= r.n || to >= r.n {
		return false
	}
	if from == ep.h || to == ep.h {
		return true
	}
	if from != ep.p || to != ep.l {
		return false
	}
	switch m := m.(type) {
	case *message.CheckpointChunk:
		return true
	case *message.NewState:
		if m.Op-uint64(len(m.Entries)) > r.replicas[ep.l].core.Info().Executed && len(ep.held) < maxHeld {
			ep.held = append(ep.held, heldMsg{from: from, to: to, inc: r.replicas[from].inc, msg: m})
			r.res.MessagesHeld++
			return true
		}
	}
	return false
}
