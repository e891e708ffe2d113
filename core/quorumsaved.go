package core

import (
	"slices"
)

// A primary cuts its log only below a checkpoint that enough full replicas
// saved: the quorum-saved op. A backup that lags behind the primary's
// checkpoints asks for what it misses (GetState) and, if the answer starts
// above its log, jumps to the answer's base and holds no state until it
// fetched a checkpoint (checkpointfetch.go). When the primary cut its log at
// its own checkpoints alone, a busy diskless cluster could leave both
// backups of three in that state, each behind a checkpoint only the primary
// held, and one crash of the primary then lost the state for good: the
// cluster wedged with every acknowledged write still in two logs (e2e
// TestLargeValuesStayWithinFrames, 1 MiB values and a checkpoint every
// 2 MiB). Now the state at the primary's log base is held by savedQuorum()
// full replicas, so a backup can jump only to a base that others keep; at
// most len(full) − savedQuorum() full replicas lack it, and f crashes
// leave one that serves it. See docs/protocol.md, "Cutting the log where a
// quorum saved".

// savedQuorum is how many full replicas, the primary included, must hold
// a saved checkpoint at or above the primary's log base: f+1, or, with
// witnesses, never more full replicas than f crashes leave (the primary
// must not wait for a full replica that may be down for good).
func (r *Replica) savedQuorum() int {
	return max(1, min(r.f+1, len(r.full)-r.f))
}

// quorumSaved is the highest op at or below which savedQuorum() full
// replicas, the primary included, report a saved checkpoint (0 until
// enough reported, after the view started).
func (r *Replica) quorumSaved() uint64 {
	ops := make([]uint64, 0, len(r.full))
	for _, i := range r.full {
		if i == r.index {
			ops = append(ops, r.saved[0])
		} else {
			ops = append(ops, r.primary.saved[i])
		}
	}
	slices.Sort(ops)
	return ops[len(ops)-r.savedQuorum()]
}

// cutLimit is the highest op the replica may cut its log to, given that
// its own checkpoints allow op: a primary keeps what the quorum has not
// saved (plant TruncateAtOwnCheckpoint: it does not).
func (r *Replica) cutLimit(op uint64) uint64 {
	if r.status != StatusNormal || !r.isPrimary() || r.cfg.bugs.TruncateAtOwnCheckpoint {
		return op
	}
	return min(op, r.quorumSaved())
}

// noteSaved records a backup's newest saved checkpoint from its PrepareOK,
// and cuts the primary's log as far as the quorum now allows (to its own
// older saved checkpoint at most, as CheckpointSaved does).
func (r *Replica) noteSaved(from int, op uint64) {
	if r.members.IsWitness(from) || op <= r.primary.saved[from] {
		return // a witness holds no state: never counted
	}
	r.primary.saved[from] = op
	r.truncateLog(r.cutLimit(r.saved[1])) // a no-op at or below the base
}
