package sim

import (
	"time"

	"github.com/vr-go/vr/message"
)

// maxDrain bounds the inputs of one drain, as in the node.
const maxDrain = 1024

// drainReplica hands rep every message waiting in its inbox through the
// driver's Drain, as the node's loop drains its channel. A step may be
// slow (Faults.SlowSteps: a checkpoint, a GC pause): the replica's clock
// then moves on while it works, the inputs after it see the later time
// (unless the driver reads its clock once per drain, a planted bug), what
// it sends leaves when the drain ends, and messages arriving meanwhile wait
// for the next drain.
func (r *run) drainReplica(rep *replica) {
	start, cost, pending := r.now, int64(0), int64(0)
	now := func() time.Duration {
		cost += pending
		pending = 0
		return time.Duration(r.localAt(rep, start+cost)) * time.Microsecond
	}
	total := int64(0)
	next := func() (message.Message, bool) {
		if len(rep.inbox) == 0 {
			return nil, false
		}
		e := rep.inbox[0]
		rep.inbox = rep.inbox[1:]
		if e.msg.Type() == message.TypeNewState {
			r.res.StateTransfers++
		}
		if total == 0 && !r.quiet && r.chance(r.opts.Faults.SlowSteps) { // one per drain
			stall := r.between(1, us(r.opts.Faults.MaxStepStall))
			pending += stall
			total += stall
			r.res.SlowSteps++
			r.mon.markSlow(rep.idx, start+total)
			r.pullArrivals(rep, start+total)
		}
		return copyMessage(e.msg), true
	}
	rep.sendAt = start + total // known once the drain ends; sends come last
	inc := rep.inc
	rep.drv.Drain(now, func() (message.Message, bool) {
		m, ok := next()
		rep.sendAt = start + total
		return m, ok
	}, maxDrain)
	if !rep.up || rep.inc != inc {
		return
	}
	rep.sendAt = 0
	if total > 0 || len(rep.inbox) > 0 {
		rep.busyUntil = start + total
		r.schedule(rep.busyUntil, event{kind: evDrain, node: rep.idx, inc: rep.inc})
	}
}

// drainEvent ends a slow step: what arrived meanwhile is handled.
func (r *run) drainEvent(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || r.now < rep.busyUntil {
		return
	}
	if len(rep.inbox) > 0 {
		r.drainReplica(rep)
	}
}

// pullArrivals moves the messages that reach rep by until into its inbox:
// they arrive while it works on a slow step, and the node's drain handles
// them in the same batch.
func (r *run) pullArrivals(rep *replica, until int64) {
	evs := r.queue.take(func(e *event) bool {
		return e.kind == evDeliver && e.node == rep.idx && e.at <= until
	})
	for _, e := range evs {
		if r.arrivesOrHeld(e.from, e.node, e.msg) {
			rep.inbox = append(rep.inbox, e)
		}
	}
}
