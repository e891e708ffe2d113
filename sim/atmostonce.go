package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/pebblekv"
)

// applyTap is a replica's kv store that notes the ops it applies, so that
// the checks can tell an execution that reached the state machine from one
// answered from the client table (both report StatusOK).
type applyTap struct {
	*kv.Store
	*tapOps
}

// tapOps are the ops a replica's state machine applied since the last
// check, in order.
type tapOps struct{ ops []uint64 }

// Apply notes op and applies it.
func (t *applyTap) Apply(op uint64, payload []byte) []byte {
	t.ops = append(t.ops, op)
	return t.Store.Apply(op, payload)
}

// pebbleTap is applyTap for the pebble engine.
type pebbleTap struct {
	*pebblekv.Store
	*tapOps
}

// Apply notes op and applies it.
func (t *pebbleTap) Apply(op uint64, payload []byte) []byte {
	t.ops = append(t.ops, op)
	return t.Store.Apply(op, payload)
}

// requestKey identifies one client request.
type requestKey struct{ client, request uint64 }

// checkAtMostOnce requires every client request that reaches a state
// machine to do so at one op only: a request applied at op a by any
// replica and at another op b by any replica ran twice (what a replayed
// Register re-opening an evicted session let happen; docs/protocol.md,
// "Client table"). It consumes the ops tap noted during the step.
func (r *run) checkAtMostOnce(rep *replica, executed []core.Applied) {
	tap := rep.tap
	if tap == nil || len(tap.ops) == 0 {
		return
	}
	applied := tap.ops
	tap.ops = tap.ops[:0]
	for _, a := range executed {
		e := a.Entry
		if a.Restored || len(applied) == 0 || applied[0] != e.Op {
			continue // answered from the client table, refused, or not the state machine's
		}
		applied = applied[1:]
		k := requestKey{e.ClientID, e.RequestNum}
		first, ok := r.chk.ran[k]
		switch {
		case !ok:
			r.chk.ran[k] = e.Op
		case first != e.Op:
			r.violate(KindAtMostOnce, "replica %d applied client %d request %d at op %d; it ran at op %d before",
				rep.idx, e.ClientID, e.RequestNum, e.Op, first)
			return
		}
	}
	if len(applied) > 0 && r.viol == nil {
		r.violate(KindProtocol, "replica %d applied op %d, which its output does not report executed", rep.idx, applied[0])
	}
}
