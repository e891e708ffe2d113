package sim

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// laggingBackups is the state of the "lagging-backups" episode, which aims
// at the wedge of e2e TestLargeValuesStayWithinFrames (plant
// truncate-at-own-checkpoint) on 3 diskless replicas with a checkpoint
// after nearly every op. With p the primary of the current view and a, b
// its backups, in a random order:
//
//	phase 1: b gets no Prepares from p (it still hears Commits, so it
//	         asks for what it misses, but gets only an answer whose log
//	         starts above its own, as a slow backup does); p commits with a's
//	         PrepareOKs and checkpoints. It ends once b holds no state
//	         (its log jumped past what it executed) or at a deadline.
//	phase 2: the same with the roles swapped: a gets no Prepares, and p
//	         commits with b's PrepareOKs; the backups' checkpoint fetches
//	         are slow (their chunks are lost). It ends once p is the only replica
//	         that could rebuild the state (stateOnlyAt), or at a deadline.
//	phase 3: p crashes (diskless) and the network heals; p restarts
//	         later and recovers. A quiet spell follows, then it repeats.
//
// A backup that lags behind checkpoints is no fault, so the crash in phase
// 3 is within f. A correct primary cuts its log only where a and b saved
// (core/quorumsaved.go): in phase 2 a cannot jump, since the only other
// saver, b, holds no state, and the primary's log waits at its bound. The
// planted bug cuts at p's own checkpoints, both backups end without state,
// and the crash of p leaves no replica that can execute again.
type laggingBackups struct {
	p, a, b  int
	deadline int64
	phase    int
	cut      int // the backup that gets no Prepares
}

// laggingBackupsStep enters phase (0 = quiet spell) and schedules the next.
func (r *run) laggingBackupsStep(phase int) {
	ep := &r.ep.lag
	next, dur := pollPhase, int64(pollEvery)
	switch phase {
	case 0:
		r.net.drop = nil
		next, dur = 1, r.between(100_000, 300_000)
	case 1, 2:
		if phase == 1 && (r.now+1_400_000 > r.quietAt || !r.laggingRoles()) {
			next, dur = 0, 50_000
			break
		}
		ep.cut = ep.b
		if phase == 2 {
			ep.cut = ep.a
		}
		ep.deadline = r.now + r.between(200_000, 500_000)
		if phase == 2 {
			ep.deadline = r.now + r.between(300_000, 900_000)
		}
		r.net.drop = r.dropPreparesToLagger
	case pollPhase:
		next, dur = r.pollLaggingBackups()
	default:
		r.net.drop = nil
		r.crashWithinF(ep.p, 20_000, 300_000)
		next, dur = 0, r.between(300_000, 600_000)
	}
	if phase != pollPhase {
		ep.phase = phase
		r.logf("lagging-backups phase %d (p %d a %d b %d)", phase, ep.p, ep.a, ep.b)
	}
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// pollLaggingBackups watches for the end of phases 1 and 2.
func (r *run) pollLaggingBackups() (next int, dur int64) {
	ep := &r.ep.lag
	p, cut := r.replicas[ep.p], r.replicas[ep.cut]
	if !p.up || !cut.up {
		return 3, 0
	}
	done := r.stateless(cut)
	if ep.phase == 2 {
		done = r.stateOnlyAt(ep.p)
	}
	if r.now >= ep.deadline || done {
		r.logf("lagging-backups: phase %d ends, %s", ep.phase, r.describeBases())
		return ep.phase + 1, 0
	}
	return pollPhase, pollEvery
}

// stateOnlyAt reports whether p is the only up replica that holds the
// state or a saved checkpoint from which another could rebuild it: every
// other up replica is stateless, and none saved a checkpoint at or above
// the lowest of their log bases.
func (r *run) stateOnlyAt(p int) bool {
	lowest, saved := uint64(1<<63), uint64(0)
	for _, rep := range r.replicas {
		if rep.idx == p || !rep.up {
			continue
		}
		if !r.stateless(rep) {
			return false
		}
		i := rep.core.Info()
		lowest, saved = min(lowest, i.LogBase), max(saved, i.SavedOp)
	}
	return saved < lowest
}

// laggingRoles picks p, a and b; it fails unless 3 replicas are up and
// normal in one view.
func (r *run) laggingRoles() bool {
	p, a, b, ok := r.primaryAndBackups()
	if ok {
		r.ep.lag = laggingBackups{p: p, a: a, b: b}
	}
	return ok
}

// dropPreparesToLagger drops p's Prepares to the lagging backup, and the
// answers to its state transfers that would let it catch up, and, in
// phase 2, the checkpoint chunks to the backups, whose fetches are then
// slow (as a large checkpoint's is on a loaded machine).
func (r *run) dropPreparesToLagger(from, to int, m message.Message) bool {
	ep := &r.ep.lag
	switch m := m.(type) {
	case *message.Prepare:
		return from == ep.p && to == ep.cut
	case *message.NewState:
		// Only an answer that makes its log jump gets through: the
		// backup is too slow to catch up before p cuts its log.
		start := m.Op - uint64(len(m.Entries))
		return to == ep.cut && start <= r.replicas[ep.cut].core.Info().Op
	case *message.CheckpointChunk:
		return ep.phase == 2 && to != ep.p
	}
	return false
}

// describeBases lists each up replica's executed op and log base.
func (r *run) describeBases() string {
	out := ""
	for _, rep := range r.replicas {
		if rep.up {
			i := rep.core.Info()
			out += fmt.Sprintf("[%d executed %d base %d op %d saved %d] ", rep.idx, i.Executed, i.LogBase, i.Op, i.SavedOp)
		}
	}
	return out
}
