package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Every message is bounded by Config.MaxMessageBytes, whatever the size of
// the state or the log. The messages that carry log entries (DoViewChange,
// StartView, RecoveryResponse, NewState, Prepare) carry at most the log a
// replica holds, and that log is bounded by bytes (logLimit): appends wait
// for room, and a log adopted from another replica is cut at its front to
// fit (only committed entries go). Checkpoints by bytes (CheckpointBytes)
// keep the committed part of the log small, so that in a healthy cluster
// the bound only ever holds back ops not yet executed. See
// docs/protocol.md, "Bounded messages".

// logLimit is the most bytes of entries the log may hold: a message with
// the whole log and the largest fixed fields still fits MaxMessageBytes.
func (c *Config) logLimit() int {
	return c.MaxMessageBytes - message.MaxFixedSize - message.EntriesSize(nil)
}

// maxEntryBytes is the encoded size of the largest entry a client may add.
func (c Config) maxEntryBytes() int { return c.MaxRequestBytes + message.EntryOverhead }

// validateBytes checks the byte bounds against each other. A log whose
// executed part lies between two checkpoints holds less than
// 2·CheckpointBytes plus one entry (the entry that triggers a checkpoint
// may overshoot); it must leave room for at least one more, so that the
// bound never stops a log whose entries are all executed from growing.
func (c Config) validateBytes() error {
	entry := c.maxEntryBytes()
	switch {
	case c.MaxMessageBytes < 1 || c.MaxRequestBytes < 1 || c.MaxBatchBytes < 1 || c.CheckpointBytes < 1:
		return fmt.Errorf("%w: message, request, batch and checkpoint bytes must be positive", ErrBadConfig)
	case c.CheckpointChunk+message.MaxFixedSize > c.MaxMessageBytes:
		return fmt.Errorf("%w: checkpoint chunk %d does not fit a message of %d bytes", ErrBadConfig, c.CheckpointChunk, c.MaxMessageBytes)
	case c.MaxBatchBytes > c.logLimit():
		return fmt.Errorf("%w: batch bytes %d above what a message of %d bytes holds", ErrBadConfig, c.MaxBatchBytes, c.MaxMessageBytes)
	case 2*c.CheckpointBytes+2*entry > c.logLimit():
		return fmt.Errorf("%w: checkpoint bytes %d too large for max message bytes %d: need 2×checkpoint bytes + 2×largest entry (%d bytes) <= %d",
			ErrBadConfig, c.CheckpointBytes, c.MaxMessageBytes, entry, c.logLimit())
	}
	return nil
}

// checkSize panics if m is larger than MaxMessageBytes: the bounds above
// make it impossible, so a larger message is a bug in the core, caught
// where the message leaves rather than as a frame a peer refuses.
func (r *Replica) checkSize(m message.Message) {
	if n := message.Size(m); n > r.cfg.MaxMessageBytes {
		panic(fmt.Sprintf("core: replica %d built a %v of %d bytes, above MaxMessageBytes %d (log %d bytes after base %d, op %d)",
			r.index, m.Type(), n, r.cfg.MaxMessageBytes, r.logBytes, r.base, r.op()))
	}
}

// hasRoom reports whether an entry of n bytes fits the log, making room if
// it can: by dropping the log up to the newest saved checkpoint (which the
// driver holds, so peers can still fetch it), and, for a replica that
// lacks the state at its base anyway, by dropping the committed entries
// up to the primary's base (statelessCut).
// Entries that are executed but not covered by a saved checkpoint stay:
// only a save makes room for them (while the driver writes a slow
// checkpoint, the bound holds new requests back).
func (r *Replica) hasRoom(n int) bool {
	limit := r.cfg.logLimit()
	if r.logBytes+n <= limit {
		return true
	}
	if cut := r.cutLimit(r.saved[0]); cut > r.base {
		r.truncateLog(cut)
	}
	if cut := r.statelessCut(); r.logBytes+n > limit && r.needsCheckpoint() && cut > r.base {
		r.jumpLog(cut, r.log[cut-r.base:])
		if r.fetch.op != 0 && r.fetch.op < r.base && (r.cfg.bugs.FetchRestarts || r.cfg.bugs.FetchPinned) {
			r.fetch.reset() // planted: what was assembled is dropped
		}
		// A fetch under way goes on: the checkpoint it fetches is now
		// below the log's base, but its source continues it in a newer
		// one of the same chain (onCheckpointChunk), and a state
		// installed below the base only means another, short fetch of
		// the records after it (Installed).
	}
	return r.logBytes+n <= limit
}

// statelessCut is how far a replica without state may drop its log to make
// room: to the primary's announced base, which savedQuorum() replicas hold
// the state at, and never above its commit-number. Its entries above that
// base may be the only copy, besides the primary's, that another replica
// with older state could execute from (plant StatelessDropsCommitted: it
// drops them all up to its commit-number).
func (r *Replica) statelessCut() uint64 {
	if r.cfg.bugs.StatelessDropsCommitted {
		return r.commit
	}
	return min(r.commit, r.primaryBase)
}

// boundLog cuts a log adopted from another replica to the bound, dropping
// committed entries from its front: keeping its own committed prefix and
// taking the other's suffix may add up to more than either held. It
// reports false if the entries above the commit-number alone exceed the
// bound, which no replica with the same configuration can have sent.
func (r *Replica) boundLog() bool {
	limit := r.cfg.logLimit()
	if r.logBytes <= limit {
		return true
	}
	keep, cut := r.logBytes, r.base
	for cut < r.commit && keep > limit {
		keep -= r.at(cut + 1).Size()
		cut++
	}
	if keep > limit {
		return false
	}
	if cut <= r.executed {
		r.dropCommitted(cut)
	} else {
		r.jumpLog(cut, r.log[cut-r.base:])
	}
	return true
}

// dropCommitted drops the executed log up to op to keep the bound, even
// above the newest saved checkpoint: those ops are committed and executed,
// so neither this replica's state nor the commit needs them, and durable
// storage keeps its log from its newest durable checkpoint whatever the
// core's base. A peer that needs them fetches a checkpoint instead.
func (r *Replica) dropCommitted(op uint64) {
	if op <= r.saved[0] {
		r.truncateLog(op)
		return
	}
	if op > r.executed || op > r.commit {
		panic(fmt.Sprintf("core: dropping the log to %d above executed %d or commit %d", op, r.executed, r.commit))
	}
	for _, e := range r.log[:op-r.base] {
		r.logBytes -= e.Size()
	}
	r.log = slices.Clone(r.log[op-r.base:])
	r.base = op
}

// mustBoundLog is boundLog for a log adopted from a message.
func (r *Replica) mustBoundLog() {
	if !r.boundLog() {
		panic(fmt.Sprintf("core: replica %d adopted a log of %d bytes above commit %d, beyond its bound %d (do the replicas share MaxMessageBytes?)",
			r.index, r.logBytes, r.commit, r.cfg.logLimit()))
	}
}

// recountLog recomputes logBytes after the log was replaced.
func (r *Replica) recountLog() {
	r.logBytes = message.EntriesSize(r.log) - message.EntriesSize(nil)
}
