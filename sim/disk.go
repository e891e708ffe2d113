package sim

import (
	"fmt"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// simDisk is a replica's disk in durable mode. It survives crashes. Its
// contents follow the real write-ahead log's rules: records are appended,
// each tagged with the last-normal-view it was written under; a record
// supersedes every earlier record at the same or a higher op (the log is
// replaced from there), and a cut record ends the log; on replay, records
// tagged with a view above the durable hard state's last-normal-view are
// ignored (they belong to a view whose hard state never became durable).
type simDisk struct {
	records []diskRecord
	hard    core.HardState
	pending []diskWrite // in order; each completes at its time
	// lastDone is when the last queued write completes (writes are FIFO).
	lastDone int64
}

// diskRecord is one record: an entry, or (cut) the end of the log at op-1.
type diskRecord struct {
	logView uint64
	cut     bool
	op      uint64
	entry   message.Entry
}

// diskWrite is one Output's durable part and the messages that must wait
// for it.
type diskWrite struct {
	done    int64
	records []diskRecord
	hard    core.HardState
	sends   []pendingSend
}

// pendingSend is a message held until its write is durable.
type pendingSend struct {
	to  int
	msg message.Message
}

// recordsOf turns an Output's dirty log into records.
func recordsOf(out core.Output) []diskRecord {
	if out.LogDirtyFrom == 0 {
		return nil
	}
	lv := out.HardState.LastNormalView
	if len(out.Entries) == 0 {
		return []diskRecord{{logView: lv, cut: true, op: out.LogDirtyFrom}}
	}
	recs := make([]diskRecord, len(out.Entries))
	for i, e := range out.Entries {
		recs[i] = diskRecord{logView: lv, op: e.Op, entry: cloneEntry(e)}
	}
	return recs
}

// needsWrite reports whether out changes anything durable.
func (d *simDisk) needsWrite(out core.Output) bool {
	h, p := out.HardState, d.durableHard()
	return out.LogDirtyFrom != 0 || h.View != p.View || h.LastNormalView != p.LastNormalView ||
		h.PromisedView != p.PromisedView
}

// durableHard is the hard state the disk will hold once every queued write
// completes.
func (d *simDisk) durableHard() core.HardState {
	if n := len(d.pending); n > 0 {
		return d.pending[n-1].hard
	}
	return d.hard
}

// complete applies the first queued write and returns its held messages.
func (d *simDisk) complete() []pendingSend {
	w := d.pending[0]
	d.pending = d.pending[1:]
	d.records = append(d.records, w.records...)
	d.hard = w.hard
	return w.sends
}

// crash loses every queued write; with torn, a prefix of the first one's
// records reached the disk (its hard state did not).
func (d *simDisk) crash(torn bool, keep func(n int) int) {
	if torn && len(d.pending) > 0 && len(d.pending[0].records) > 0 {
		recs := d.pending[0].records
		d.records = append(d.records, recs[:keep(len(recs))]...)
	}
	d.pending = nil
	d.lastDone = 0
}

// replay rebuilds the durable state a restarting replica reads.
func (d *simDisk) replay() *core.Durable {
	var log []message.Entry
	for _, rec := range d.records {
		if rec.logView > d.hard.LastNormalView {
			continue
		}
		if rec.op > uint64(len(log))+1 {
			panic(fmt.Sprintf("sim: disk record op %d after log end %d", rec.op, len(log)))
		}
		log = log[:rec.op-1]
		if !rec.cut {
			log = append(log, rec.entry)
		}
	}
	hard := d.hard
	hard.Commit = min(hard.Commit, uint64(len(log)))
	return &core.Durable{HardState: hard, Log: log}
}
