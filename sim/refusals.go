package sim

import (
	"slices"

	"github.com/vr-go/vr/message"
)

// A refusal is an answer: the administrator that was told a
// RECONFIGURATION is refused moves on (draws another plan), so the refused
// request must never take effect later — a duplicate of it still in the
// network, or a retransmission that reached another replica, must not be
// admitted by a later primary (core.Replica.refuse puts a refusal that
// depends on the primary's view of its backups through the log, so the
// client table answers every copy of the request the same way). The
// administrator remembers every refused ask; an epoch that starts with
// the configuration of a refused ask from the epoch before it, when the
// ask in flight (if any) is not the same, is a violation.

// refusedAsk is a RECONFIGURATION the administrator was told is refused.
type refusedAsk struct {
	req    uint64
	epoch  uint64 // the epoch it was asked from
	target []message.Member
}

// rememberRefusal records the ask in flight as refused.
func (r *run) rememberRefusal() {
	a := &r.adm
	a.refused = append(a.refused, refusedAsk{req: a.req, epoch: a.epoch, target: slices.Clone(a.target)})
}

// checkRefusedEpoch checks the first entry into epoch e (after op, with
// members) against the refused asks.
func (r *run) checkRefusedEpoch(e uint64, members []message.Member) {
	a := &r.adm
	if a.busy && a.epoch+1 == e && slices.Equal(a.target, members) {
		return // the ask in flight asks for the same
	}
	for _, ask := range a.refused {
		if ask.epoch+1 == e && slices.Equal(ask.target, members) {
			r.violate(KindEpoch, "epoch %d started with %v, which request %d asked from epoch %d and was refused",
				e, members, ask.req, ask.epoch)
			return
		}
	}
}
