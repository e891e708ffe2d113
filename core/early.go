package core

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Prepares out of order (docs/protocol.md, "Prepares out of order"). The
// paper's backup takes Prepares strictly in op order and drops one whose
// op is not the next. Our links have two lanes (message.LaneOf): a
// Prepare of 64 KiB or more takes the bulk lane and a smaller one the
// control lane, so when consecutive Prepares straddle that size the later
// one may arrive first. Dropped, it cost the backup a retransmission or a
// state transfer (100-250 ms steps of a loaded backup) in fault-free runs.
// So a backup holds a Prepare that arrives after a gap, bounded in count
// and bytes, and appends it when the gap fills. It still notes the gap
// (requestMissing): if the missing Prepare was lost and does not arrive,
// the usual catch-up runs.

// earlyMaxCount bounds how many Prepares a backup holds out of order.
const earlyMaxCount = 64

// earlyMaxBytes bounds the bytes of entries a backup holds out of order:
// four batches.
func (c *Config) earlyMaxBytes() int { return 4 * c.MaxBatchBytes }

// earlyPrepares are the Prepares of the current view a backup holds
// because they arrived before a Prepare with ops below theirs; sorted by
// their first entry's op.
type earlyPrepares struct {
	held  []*message.Prepare
	bytes int // entries' encoded size over held
}

// holdEarly keeps m, a Prepare of the backup's view whose ops start after
// a gap, until the gap fills, and reports whether it did. The nearest
// Prepares win when the bounds are reached.
func (r *Replica) holdEarly(m *message.Prepare) bool {
	if r.cfg.bugs.DropEarlyPrepares || len(m.Entries) == 0 || m.Entries[0].Op <= r.op()+1 {
		return false // the last: entries with a gap inside one Prepare, never sent
	}
	size := message.EntriesSize(m.Entries)
	if size > r.cfg.earlyMaxBytes() {
		return false
	}
	first := m.Entries[0].Op
	i, found := slices.BinarySearchFunc(r.early.held, first, func(p *message.Prepare, op uint64) int {
		return cmp.Compare(p.Entries[0].Op, op)
	})
	switch {
	case found && len(r.early.held[i].Entries) >= len(m.Entries):
		return true // the same ops from the same primary: already held
	case found: // a retransmission with more entries: keep it instead
		r.early.bytes += size - message.EntriesSize(r.early.held[i].Entries)
		r.early.held[i] = m
	default:
		r.early.held = slices.Insert(r.early.held, i, m)
		r.early.bytes += size
	}
	for len(r.early.held) > earlyMaxCount || r.early.bytes > r.cfg.earlyMaxBytes() {
		last := len(r.early.held) - 1
		r.early.bytes -= message.EntriesSize(r.early.held[last].Entries)
		r.early.held[last] = nil
		r.early.held = r.early.held[:last]
	}
	kept := i < len(r.early.held)
	if kept {
		r.counters.PreparesHeld++
	}
	return kept
}

// takeEarly returns the held Prepare that continues the log now, if any,
// and drops those the log already holds or that belong to another view
// or epoch.
func (r *Replica) takeEarly() *message.Prepare {
	for len(r.early.held) > 0 {
		p := r.early.held[0]
		stale := r.status != StatusNormal || r.isPrimary() || p.View != r.view || p.Epoch != r.members.Epoch
		if !stale && p.Entries[0].Op > r.op()+1 {
			return nil // the gap is still open
		}
		r.early.bytes -= message.EntriesSize(p.Entries)
		r.early.held[0] = nil
		r.early.held = r.early.held[1:]
		if !stale && p.Entries[len(p.Entries)-1].Op > r.op() {
			return p
		}
	}
	r.early.held = nil // let the backing array go
	return nil
}

// checkEarly asserts the held Prepares' bounds and order (cheaply: it
// runs after every input).
func (r *Replica) checkEarly() {
	n := len(r.early.held)
	if n > earlyMaxCount || r.early.bytes > r.cfg.earlyMaxBytes() || r.early.bytes < 0 || (n == 0) != (r.early.bytes == 0) {
		panic(fmt.Sprintf("core: replica %d holds %d early Prepares counted as %d bytes (bounds %d, %d)",
			r.index, n, r.early.bytes, earlyMaxCount, r.cfg.earlyMaxBytes()))
	}
	for k := 1; k < n; k++ {
		if r.early.held[k].Entries[0].Op <= r.early.held[k-1].Entries[0].Op {
			panic(fmt.Sprintf("core: replica %d holds early Prepares out of order at %d", r.index, k))
		}
	}
}
