package sim

import "github.com/vr-go/vr/message"

// A profile that injects no fault (FaultConfig.FaultFree) has nothing for
// the protocol to repair: no message is lost, no replica crashes or
// stalls, no link is cut. A replica that asks for state there (GetState,
// GetLog), a primary that sends a backup entries it sent it before (a
// retransmission: the backup did not acknowledge them in time), or a
// replica that starts a view change lost something by its own doing: a
// Prepare it dropped because a later one overtook it on the other lane
// (plant drop-early-prepares; docs/protocol.md, "Prepares out of order"),
// or a timer that fired while its primary was fine. Each costs a loaded
// replica a step of hundreds of milliseconds in a real cluster, so the
// simulator fails the run.

// checkFaultFree fails a fault-free run in which replica from sends to a
// request for state, a view-change message or a Prepare with an entry it
// sent to before.
func (r *run) checkFaultFree(from, to int, m message.Message) {
	if !r.opts.Faults.FaultFree || from >= r.n || to >= r.n {
		return
	}
	switch m := m.(type) {
	case *message.GetState, *message.GetLog, *message.StartViewChange, *message.DoViewChange:
		r.violate(KindFaultFree, "replica %d sent %v to %d in a run with no fault", from, m.Type(), to)
	case *message.Prepare:
		if len(m.Entries) == 0 {
			return
		}
		if r.sentOps == nil {
			r.sentOps = make(map[[2]int]uint64)
		}
		link := [2]int{from, to}
		if first := m.Entries[0].Op; first <= r.sentOps[link] {
			r.violate(KindFaultFree, "primary %d sent op %d to %d again (it had sent up to op %d) in a run with no fault",
				from, first, to, r.sentOps[link])
		}
		r.sentOps[link] = max(r.sentOps[link], m.Entries[len(m.Entries)-1].Op)
	}
}
