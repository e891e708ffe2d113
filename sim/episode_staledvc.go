package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// staleDVC is the state of the "stale-dvc" episode, which aims at review
// finding A on 3 replicas: a DoViewChange of a crashed incarnation that
// arrives after its successor recovered into an older view. With z the
// primary of the current view v, x the primary of v+1 and y the third:
//
//	phase 1: z's messages to x and y are lost, and theirs to z, so x and y
//	         time out and start view v+1; y's messages to x are held
//	         back (its StartViewChange and DoViewChange stay in flight).
//	phase 2: y crashes; the links heal but for the held messages. x hears
//	         z again and goes back to view v by state transfer; y
//	         restarts soon and recovers from z and x.
//	phase 3: x and z cannot talk: new ops commit at z with y's
//	         acknowledgements while x misses them and times out alone.
//	phase 4: y's held messages of its dead incarnation reach x.
//
// Every phase lasts a random time and every fault is only a drop, a delay
// or a crash, so most seeds play it out harmlessly; with the recovery bug
// planted, x forms view v+1 from y's stale DoViewChange and the ops
// acknowledged in phase 3 are lost.
type staleDVC struct {
	z, x, y  int
	view     uint64 // v
	deadline int64  // end of phase 1 at the latest
	yInc     uint32 // y's incarnation whose messages to x are held
	held     []heldMsg
}

// pollPhase is the pseudo-phase that watches for the end of phase 1,
// every pollEvery simulated microseconds.
const (
	pollPhase = 100
	pollEvery = 2_000
)

const stateViewChange = core.StatusViewChange

// staleDVCStep enters phase (0 = quiet spell) and schedules the next one.
func (r *run) staleDVCStep(phase int) {
	ep := &r.ep.dvc
	next, dur := phase+1, int64(0)
	switch phase {
	case 0:
		r.releaseEpisodeHeld()
		r.net.drop = nil
		dur = r.between(150_000, 400_000)
	case 1:
		if !r.staleDVCRoles() {
			next, dur = 0, 50_000
			break
		}
		r.net.drop = r.dropAroundZ
		ep.deadline = r.now + r.between(150_000, 300_000)
		next, dur = pollPhase, pollEvery
	case pollPhase:
		// Phase 1 ends once x and y both moved to view v+1 (or at the
		// deadline), while z may still be normal in v.
		x, y := r.replicas[ep.x], r.replicas[ep.y]
		moved := x.up && y.up && x.status == stateViewChange && y.status == stateViewChange &&
			x.view == ep.view+1 && y.view == ep.view+1
		if !moved && r.now < ep.deadline {
			next, dur = pollPhase, pollEvery
			break
		}
		next, dur = 2, r.between(0, 20_000)
	case 2:
		r.net.drop = nil
		r.crashWithinF(ep.y, 5_000, 60_000)
		dur = r.between(60_000, 200_000)
	case 3:
		r.net.drop = r.dropBetweenXZ
		dur = r.between(150_000, 350_000)
	default:
		r.releaseEpisodeHeld()
		next, dur = 0, r.between(100_000, 300_000)
	}
	if phase != pollPhase {
		r.logf("stale-dvc phase %d (z %d x %d y %d)", phase, ep.z, ep.x, ep.y)
	}
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// staleDVCRoles picks z, x and y from the current view; it fails unless
// there are 3 replicas, all up and normal in one view.
func (r *run) staleDVCRoles() bool {
	v, ok := r.settledView3()
	if !ok {
		return false
	}
	y := int((v + 2) % 3)
	r.ep.dvc = staleDVC{z: int(v % 3), x: int((v + 1) % 3), y: y, yInc: r.replicas[y].inc, view: v}
	return true
}

// dropAroundZ cuts z off both ways (phase 1).
func (r *run) dropAroundZ(from, to int, _ message.Message) bool {
	z := r.ep.dvc.z
	return (from == z || to == z) && from < r.n && to < r.n
}

// dropBetweenXZ cuts x and z apart (phase 3).
func (r *run) dropBetweenXZ(from, to int, _ message.Message) bool {
	ep := r.ep.dvc
	return (from == ep.x && to == ep.z) || (from == ep.z && to == ep.x)
}

// holdEpisode keeps y's messages to x back while y is the incarnation of
// phase 1 (it reports whether it took m).
func (r *run) holdEpisode(from, to int, m message.Message) bool {
	ep := &r.ep.dvc
	if r.opts.Faults.Episode != "stale-dvc" || ep.yInc == 0 || from != ep.y || to != ep.x ||
		r.replicas[from].inc != ep.yInc {
		return false
	}
	ep.held = append(ep.held, heldMsg{from: from, to: to, inc: ep.yInc, msg: m})
	r.res.MessagesHeld++
	return true
}

// releaseEpisodeHeld delivers what holdEpisode kept back, in order.
func (r *run) releaseEpisodeHeld() {
	ep := &r.ep.dvc
	for k, h := range ep.held {
		r.scheduleDelivery(h.from, h.to, h.msg, r.between(minDelay, maxDelay)+int64(k))
	}
	ep.held, ep.yInc = nil, 0
}
