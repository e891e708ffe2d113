package sim

import (
	"fmt"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// simDisk is a replica's disk in durable mode. It survives crashes. It
// follows the write-ahead log's rules (package wal): each Output's durable
// part is one write group (its log records and its hard state); a group
// counts only once its end record is durable, so a crash during a write
// tears the group and replay drops it whole; a record supersedes every
// earlier record at the same or a higher op (the log is replaced from
// there), a cut record ends the log, and a reset record empties it and
// moves its base. Checkpoints are files written with the group; once one is
// durable, the log below it may be dropped, as the node's TruncatePrefix
// does.
type simDisk struct {
	records []diskRecord
	ckpt    *core.Checkpoint // the newest durable checkpoint
	trunc   uint64           // the log base last reported with a durable write
	dropped uint64           // planted bug: log dropped up to here at once
	hard    core.HardState
	hasHard bool // a write group completed: the disk holds a replica's state
	queued  bool // a write group was ever queued
	// original: the disk the replica was created with (not one that
	// replaced a corrupt disk). The real driver marks a data directory it
	// creates for a new cluster before it sends anything.
	original bool
	pending  []diskWrite // in order; each completes at its time
	// lastDone is when the last queued write completes (writes are FIFO).
	lastDone int64
}

// diskRecord is one record: an entry, (cut) the end of the log at op-1,
// or (reset) an empty log whose next op is op.
type diskRecord struct {
	cut, reset bool
	op         uint64
	entry      message.Entry
}

// diskWrite is one Output's durable part, and what to tell the driver
// when it is durable (for this Output and for later ones that wrote
// nothing).
type diskWrite struct {
	done    int64
	records []diskRecord
	hard    core.HardState
	ckpt    *core.Checkpoint
	logBase uint64
	dones   []func()
}

// recordsOf turns an Output's dirty log into records.
func recordsOf(out core.Output) []diskRecord {
	if out.LogDirtyFrom == 0 {
		return nil
	}
	var recs []diskRecord
	if out.LogReset {
		recs = append(recs, diskRecord{reset: true, op: out.LogDirtyFrom})
	} else if len(out.Entries) == 0 {
		return []diskRecord{{cut: true, op: out.LogDirtyFrom}}
	}
	for _, e := range out.Entries {
		recs = append(recs, diskRecord{op: e.Op, entry: cloneEntry(e)})
	}
	return recs
}

// needsWrite reports whether out changes anything durable. The first write
// of a replica's life records its state even if nothing changed: from then
// on, a restart resumes from the disk instead of recovering.
func (d *simDisk) needsWrite(out core.Output) bool {
	h, p := out.HardState, d.durableHard()
	return !d.queued || out.LogDirtyFrom != 0 || out.Checkpoint != nil || h.View != p.View ||
		h.LastNormalView != p.LastNormalView || h.PromisedView != p.PromisedView || h.AnnouncedView != p.AnnouncedView
}

// durableHard is the hard state the disk will hold once every queued write
// completes.
func (d *simDisk) durableHard() core.HardState {
	if n := len(d.pending); n > 0 {
		return d.pending[n-1].hard
	}
	return d.hard
}

// complete applies the first queued write and returns what waited for it.
func (d *simDisk) complete() []func() {
	w := d.pending[0]
	d.pending = d.pending[1:]
	d.records = append(d.records, w.records...)
	d.hard, d.hasHard = w.hard, true
	if w.ckpt != nil {
		d.ckpt = w.ckpt
	}
	d.trunc = w.logBase
	return w.dones
}

// crash loses every queued write. It reports whether a write was in
// progress: that group is torn (some of its records reached the disk
// without its end record) and replay drops it whole, like the real log.
func (d *simDisk) crash() (torn bool) {
	torn = len(d.pending) > 0
	d.pending = nil
	d.lastDone = 0
	d.queued = d.hasHard // a first write that never completed must be redone
	return torn
}

// replay rebuilds the durable state a restarting replica reads; nil when
// no write ever completed (the replica must recover like a diskless one).
func (d *simDisk) replay() *core.Durable {
	if !d.hasHard {
		return nil
	}
	base, log := replayRecords(d.records)
	if t := min(d.dropped, base+uint64(len(log))); t > base {
		log, base = log[t-base:], t // TruncateBeforeCheckpoint
	}
	// The driver drops the log below the base it was told once a
	// checkpoint at or above that base is durable.
	if d.ckpt != nil {
		if t := min(d.trunc, d.ckpt.Op, base+uint64(len(log))); t > base {
			log, base = log[t-base:], t
		}
	}
	hard := d.hard
	hard.Commit = min(hard.Commit, base+uint64(len(log)))
	return &core.Durable{HardState: hard, Checkpoint: d.ckpt, LogBase: base, Log: log}
}

// replayRecords applies the records in order: the log after base.
func replayRecords(records []diskRecord) (base uint64, log []message.Entry) {
	for _, rec := range records {
		if rec.reset {
			base, log = rec.op-1, nil
			continue
		}
		if rec.op <= base || rec.op > base+uint64(len(log))+1 {
			panic(fmt.Sprintf("sim: disk record op %d outside the log (base %d, %d entries)", rec.op, base, len(log)))
		}
		log = log[:rec.op-1-base]
		if !rec.cut {
			log = append(log, rec.entry)
		}
	}
	return base, log
}
