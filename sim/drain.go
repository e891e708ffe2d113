package sim

import "github.com/vr-go/vr/message"

// A replica takes the messages that reach it in drains, as the node's loop
// drains its channel: the driver's Begin, Next for each message, then
// Flush. A step may be slow (Faults.SlowSteps, or a stall an episode
// forces: a checkpoint, a GC pause). The drain is then suspended while the
// rest of the world moves on: the replica's clock runs, messages reaching
// it wait in its inbox and join the same drain when the step ends, its
// ticks and disk completions wait, and what it sends leaves when the drain
// ends. A driver that read its clock once per drain would handle those
// messages with the clock of before the stall.

// deliverToReplica queues a message for rep and starts a drain unless one
// is under way.
func (r *run) deliverToReplica(rep *replica, e event) {
	rep.inbox = append(rep.inbox, e)
	if !rep.draining {
		rep.draining = true
		rep.drv.Begin(r.elapsed(rep))
		r.continueDrain(rep, false)
	}
}

// continueDrain steps rep through its inbox until it is empty, or until a
// step is slow: then the drain resumes when the step ends. A drain that
// resumes after a slow step is checked for spurious view changes
// (spurious.go).
func (r *run) continueDrain(rep *replica, resumed bool) {
	for len(rep.inbox) > 0 {
		e := rep.inbox[0]
		// Shift down rather than reslice: the inbox keeps its array (it
		// holds one message or a few), so a delivery does not allocate.
		n := copy(rep.inbox, rep.inbox[1:])
		rep.inbox[n] = event{}
		rep.inbox = rep.inbox[:n]
		if e.msg.Type() == message.TypeNewState {
			r.res.StateTransfers++
		}
		inc := rep.inc
		if resumed {
			r.stepChecked(rep, copyMessage(e.msg))
		} else {
			rep.drv.Next(r.elapsed(rep), copyMessage(e.msg))
		}
		if !rep.up || rep.inc != inc {
			return
		}
		if stall := r.drawStall(rep); stall > 0 {
			r.res.SlowSteps++
			rep.busyUntil = r.now + stall
			r.mon.markSlow(rep.idx, rep.busyUntil)
			r.schedule(rep.busyUntil, event{kind: evDrain, node: rep.idx, inc: rep.inc})
			return
		}
	}
	rep.draining = false
	rep.drv.Flush()
}

// drawStall returns how long the step just taken lasted beyond an instant:
// a stall forced by an episode, or a random one (Faults.SlowSteps).
func (r *run) drawStall(rep *replica) int64 {
	if r.quiet {
		return 0
	}
	if s := rep.forcedStall; s > 0 {
		rep.forcedStall = 0
		return s
	}
	if r.chance(r.opts.Faults.SlowSteps) {
		return r.between(1, us(r.opts.Faults.MaxStepStall))
	}
	return 0
}

// drainEvent ends a slow step: the drain goes on with what arrived.
func (r *run) drainEvent(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || !rep.draining || r.now < rep.busyUntil {
		return
	}
	r.continueDrain(rep, true)
}

// busy reports whether rep is inside a slow step (its ticks and disk
// completions wait).
func (r *run) busy(rep *replica) bool { return rep.draining && r.now < rep.busyUntil }
