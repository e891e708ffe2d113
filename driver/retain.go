package driver

import (
	"slices"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// The retained log (issue 10). The core's log is bounded so that the whole
// of it fits one message (core/bounds.go): under load it covers about a
// second of writes, and a backup that stalls longer falls below its
// primary's log base. The driver keeps the newest committed entries its
// replica executed, up to Config.RetainLogBytes, beyond what the core
// holds, and answers a peer's GetLog from them (serveLog): the backup
// appends them in order instead of fetching a checkpoint chain as large as
// the state (core/logfetch.go; docs/protocol.md, "Catching up from the
// retained log").
//
// Only executed entries enter it (Output.Applied), so every entry it
// serves is committed: entries appended to the log may still be replaced
// by a view change (plant.Driver.RetainAppended retains those too). The
// entries are consecutive; a gap (a checkpoint installed, a restart)
// starts it again from the next one.

// retainedLog is a bounded run of consecutive committed entries.
type retainedLog struct {
	entries []message.Entry // entries[head:] are held, in op order
	head    int
	bytes   int // encoded size of the entries held
	limit   int // at most this many bytes (the newest entry is always kept)
}

// held returns the entries held.
func (l *retainedLog) held() []message.Entry { return l.entries[l.head:] }

// add appends e if it follows the newest entry held; an entry at or below
// the newest is already held, and one after a gap starts the run again.
func (l *retainedLog) add(e message.Entry) {
	if l.limit <= 0 {
		return
	}
	if h := l.held(); len(h) > 0 {
		last := h[len(h)-1].Op
		if e.Op <= last {
			return
		}
		if e.Op != last+1 {
			l.reset()
		}
	}
	l.entries = append(l.entries, e)
	l.bytes += e.Size()
	for l.bytes > l.limit && len(l.entries)-l.head > 1 {
		l.bytes -= l.entries[l.head].Size()
		l.entries[l.head] = message.Entry{} // let its payload go
		l.head++
	}
	if l.head > 64 && l.head > len(l.entries)/2 {
		n := copy(l.entries, l.entries[l.head:])
		clear(l.entries[n:])
		l.entries, l.head = l.entries[:n], 0
	}
}

// reset drops every entry.
func (l *retainedLog) reset() {
	clear(l.entries)
	l.entries, l.head, l.bytes = l.entries[:0], 0, 0
}

// from returns a copy of the entries from op on, as many as fit maxBytes
// (at least one, if any is held and fits): nil if op is not held.
func (l *retainedLog) from(op uint64, maxBytes int) []message.Entry {
	h := l.held()
	if len(h) == 0 || op < h[0].Op || op > h[len(h)-1].Op {
		return nil
	}
	h = h[op-h[0].Op:]
	n, size := 0, 0
	for n < len(h) && size+h[n].Size() <= maxBytes {
		size += h[n].Size()
		n++
	}
	return slices.Clone(h[:n]) // the held array is written again later
}

// retain adds what out executed to the retained log; a restore from a
// checkpoint starts it again.
func (d *Driver) retain(out *core.Output) {
	for _, a := range out.Applied {
		if a.Restored {
			d.retained.reset()
			continue
		}
		d.retained.add(a.Entry)
	}
	if d.cfg.bugs.RetainAppended {
		for _, e := range out.Entries {
			d.retained.add(e) // planted: entries not yet committed
		}
	}
}

// serveLog answers a peer's GetLog with the retained entries after m.Op
// that fit its room and one message; none if the entry after m.Op is not
// retained.
func (d *Driver) serveLog(m *message.GetLog) {
	self := d.replica.ID()
	if m.Replica == self {
		return
	}
	limit := d.cfg.MaxMessageBytes
	if limit == 0 {
		limit = core.DefaultMaxMessageBytes
	}
	room := min(m.MaxBytes, uint64(limit-message.MaxFixedSize-message.EntriesSize(nil)))
	d.cfg.Network.Send(int(m.Replica), &message.LogChunk{
		Epoch: m.Epoch, Replica: self, From: m.Op, Entries: d.retained.from(m.Op+1, int(room)),
	})
}

// RetainedLog reports the retained log's first and last op and its size in
// bytes (first 0: empty), for status pages.
func (d *Driver) RetainedLog() (first, last uint64, bytes int) {
	h := d.retained.held()
	if len(h) == 0 {
		return 0, 0, 0
	}
	return h[0].Op, h[len(h)-1].Op, d.retained.bytes
}
