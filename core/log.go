package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// The log holds the ops after base: log[i].Op == base+i+1. Ops at or below
// base were committed and are summarized by a checkpoint (this replica's,
// or one it still has to fetch: see checkpointfetch.go). base never exceeds
// the commit-number.

// op returns the op-number: the last op in the log, or base if it is empty.
func (r *Replica) op() uint64 { return r.base + uint64(len(r.log)) }

// at returns the entry at op, which must be in the log.
func (r *Replica) at(op uint64) message.Entry { return r.log[op-r.base-1] }

// Entry returns the log entry at op, if the replica holds it.
func (r *Replica) Entry(op uint64) (message.Entry, bool) {
	if op <= r.base || op > r.op() {
		return message.Entry{}, false
	}
	return r.at(op), true
}

// entries returns log entries (from, to] capped at MaxBatch entries and
// MaxBatchBytes (but at least one entry), sharing memory with the log but
// with capacity clipped so nobody can append into it. Ops at or below base
// are not held: the range starts after base.
func (r *Replica) entries(from, to uint64) []message.Entry {
	from = max(from, r.base)
	if to > from+uint64(r.cfg.MaxBatch) {
		to = from + uint64(r.cfg.MaxBatch)
	}
	bytes := 0
	for op := from + 1; op <= to; op++ {
		bytes += r.at(op).Size()
		if bytes > r.cfg.MaxBatchBytes && op > from+1 {
			to = op - 1
		}
	}
	if from >= to {
		return nil
	}
	return r.log[from-r.base : to-r.base : to-r.base]
}

// wholeLog returns the log after base for DoViewChange, StartView and
// RecoveryResponse; the message's op-number minus its length is the base.
func (r *Replica) wholeLog() []message.Entry {
	n := len(r.log)
	return r.log[:n:n]
}

// appendEntry appends one entry at op()+1.
func (r *Replica) appendEntry(e message.Entry) {
	if e.Op != r.op()+1 {
		panic(fmt.Sprintf("core: append op %d at op-number %d", e.Op, r.op()))
	}
	r.markDirty(e.Op)
	r.log = append(r.log, e)
	r.logBytes += e.Size()
}

// adoptLog makes this replica's log the log of another replica (a chosen
// DoViewChange, a StartView, a NewState or the primary's
// RecoveryResponse): the ops after logBase are suffix, and every op at or
// below logBase is committed. If logBase is within this replica's own
// committed prefix it keeps that prefix and replaces the rest; otherwise it
// jumps: its log starts after logBase, and it executes nothing until it
// installed a checkpoint at or above logBase. Either way the result is cut
// to the log's bound in bytes (bounds.go).
func (r *Replica) adoptLog(logBase uint64, suffix []message.Entry) {
	if logBase > r.commit {
		if !r.holdsPrefixOf(logBase, suffix) {
			r.jumpLog(logBase, suffix)
			r.mustBoundLog()
			return
		}
		r.commit = logBase // our ops up to logBase are the committed ones
	}
	keep := max(logBase, r.base)
	skip := keep - logBase
	if skip > uint64(len(suffix)) {
		panic(fmt.Sprintf("core: replica %d adopting a log ending at %d below its base %d",
			r.index, logBase+uint64(len(suffix)), r.base))
	}
	r.replaceLog(keep, suffix[skip:])
	r.mustBoundLog()
}

// holdsPrefixOf reports whether this replica's own log already holds the
// committed ops up to logBase of a log it adopts, so that it keeps them
// rather than jumping to logBase and waiting for a checkpoint that perhaps
// no live replica holds. The proof is the entry after logBase: if ours is
// the same entry, our log up to it is the same as the sender's (an entry's
// view names the one primary that put it at that op, after the log that
// primary held; see docs/protocol.md, "Keeping the ops a replica holds").
func (r *Replica) holdsPrefixOf(logBase uint64, suffix []message.Entry) bool {
	if r.cfg.bugs.JumpOverHeldLog || len(suffix) == 0 || r.base > logBase || r.op() <= logBase {
		return false
	}
	return sameEntry(r.at(logBase+1), suffix[0])
}

// fillFromDoViewChanges lets a new primary whose log starts above what it
// executed take the missing committed ops from the DoViewChange logs that
// hold them, so that it executes them itself, or at least starts its log
// at a base some replica holds a checkpoint for (the sender's own base)
// instead of one that perhaps only a crashed replica held. A log may
// lend its entries if it agrees with ours: it was normal in the same last
// view as the chosen one (both are then prefixes of that view's log), or
// it holds the same entry right after our base. Entries are added only
// while the log's byte bound leaves room for them.
func (r *Replica) fillFromDoViewChanges(best *message.DoViewChange) {
	if r.cfg.bugs.JumpOverHeldLog || !r.needsCheckpoint() {
		return
	}
	var lender *message.DoViewChange
	for _, d := range r.vc.dvc {
		if d == nil || !r.canLend(d, best) {
			continue
		}
		if lender == nil || d.Op-uint64(len(d.Log)) < lender.Op-uint64(len(lender.Log)) {
			lender = d
		}
	}
	if lender == nil {
		return
	}
	dBase := lender.Op - uint64(len(lender.Log))
	from := max(dBase, r.executed)
	missing := lender.Log[from-dBase : r.base-dBase]
	if r.logBytes+message.EntriesSize(missing)-message.EntriesSize(nil) > r.cfg.logLimit() {
		return
	}
	r.log = append(slices.Clone(missing), r.log...)
	r.base = from
	r.recountLog()
	r.logDirtyFrom, r.logReset = r.base+1, true
	r.fetch.reset()
}

// canLend reports whether DoViewChange d holds ops just below this new
// primary's base that agree with its log (see fillFromDoViewChanges).
func (r *Replica) canLend(d, best *message.DoViewChange) bool {
	dBase := d.Op - uint64(len(d.Log))
	if dBase >= r.base || d.Op < r.base {
		return false
	}
	if d.LastNormalView == best.LastNormalView {
		return true
	}
	return d.Op > r.base && r.op() > r.base && sameEntry(d.Log[r.base-dBase], r.at(r.base+1))
}

// jumpLog replaces the whole log by the ops after logBase, which are
// committed and above this replica's commit-number, so nothing it executed
// is lost.
func (r *Replica) jumpLog(logBase uint64, suffix []message.Entry) {
	for i, e := range suffix {
		if e.Op != logBase+uint64(i)+1 {
			panic(fmt.Sprintf("core: jumpLog non-consecutive op %d at %d", e.Op, logBase+uint64(i)+1))
		}
	}
	r.base = logBase
	r.log = slices.Clone(suffix)
	r.recountLog()
	r.commit = max(r.commit, logBase)
	r.logDirtyFrom, r.logReset = logBase+1, true
	if r.cfg.bugs.SkipCheckpointFetch {
		r.executed = logBase
	}
}

// replaceLog keeps ops up to keep (at or above base) and then takes suffix,
// which must start at keep+1. Executed entries may not change: they are
// committed.
func (r *Replica) replaceLog(keep uint64, suffix []message.Entry) {
	if keep > r.op() || keep < r.base {
		panic(fmt.Sprintf("core: replaceLog keep %d outside [%d,%d]", keep, r.base, r.op()))
	}
	for i, e := range suffix {
		if e.Op != keep+uint64(i)+1 {
			panic(fmt.Sprintf("core: replaceLog non-consecutive op %d at %d", e.Op, keep+uint64(i)+1))
		}
		if e.Op <= r.executed && e.Op <= r.op() && !sameEntry(r.at(e.Op), e) {
			panic(fmt.Sprintf("core: replica %d would replace executed op %d", r.index, e.Op))
		}
	}
	if uint64(len(suffix))+keep < r.executed {
		panic(fmt.Sprintf("core: replica %d would drop executed op %d", r.index, r.executed))
	}
	same := 0 // entries of suffix already held at the same op
	for same < len(suffix) && keep+uint64(same) < r.op() && sameEntry(r.at(keep+uint64(same)+1), suffix[same]) {
		same++
	}
	newLen := keep + uint64(len(suffix))
	if same == len(suffix) && newLen == r.op() {
		return // nothing changes
	}
	r.markDirty(keep + uint64(same) + 1)
	r.log = append(slices.Clip(r.log[:keep-r.base]), suffix...)
	r.recountLog()
}

// truncateLog drops the entries at or below op, which must be executed and
// covered by a saved checkpoint (saved.go). Only memory changes: the driver
// drops the durable copy up to the LogBase of the next Output, which a
// durable checkpoint covers.
func (r *Replica) truncateLog(op uint64) {
	if op <= r.base {
		return
	}
	r.assertSaved(op)
	if op > r.executed {
		panic(fmt.Sprintf("core: truncating the log to %d above executed %d", op, r.executed))
	}
	for _, e := range r.log[:op-r.base] {
		r.logBytes -= e.Size()
	}
	r.log = slices.Clone(r.log[op-r.base:])
	r.base = op
}

func (r *Replica) markDirty(op uint64) {
	if r.logDirtyFrom == 0 || op < r.logDirtyFrom {
		r.logDirtyFrom = op
	}
}

func sameEntry(a, b message.Entry) bool {
	return a.Op == b.Op && a.View == b.View && a.ClientID == b.ClientID &&
		a.RequestNum == b.RequestNum && a.Kind == b.Kind && string(a.Payload) == string(b.Payload)
}
