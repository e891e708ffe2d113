package loadgen

import (
	"context"
	"time"
)

// clientStats is what one client measured; merged at the end of a run.
type clientStats struct {
	hist                         Histogram
	ops, reads, writes, failures int64
	firstErr                     error
}

// client issues operations back-to-back until the run is over.
func (r *runner) client(ctx context.Context, id int, st *clientStats) {
	w := newWorkload(r.cfg, id)
	for ctx.Err() == nil {
		measured, ok := r.admit(time.Now())
		if !ok {
			return
		}
		read := w.isRead()
		key := w.nextKey()
		var err error
		t0 := time.Now()
		if read {
			err = r.target.Get(ctx, key)
		} else {
			err = r.target.Put(ctx, key, w.nextValue())
		}
		lat := time.Since(t0)
		if err != nil && ctx.Err() != nil {
			return // abandoned: the run is over or was cancelled
		}
		r.done.Add(1)
		if err != nil {
			r.failed.Add(1)
		} else {
			r.window.record(lat)
			if !read {
				r.written.mark(w.index)
			}
		}
		if measured {
			st.record(read, lat, err)
		}
	}
}

// admit decides whether a client may start an operation at now, and
// whether that operation is measured (after the warmup).
func (r *runner) admit(now time.Time) (measured, ok bool) {
	if now.Before(r.measureFrom) {
		return false, true
	}
	if !r.deadline.IsZero() {
		return true, now.Before(r.deadline)
	}
	return true, r.tickets.Add(1) <= int64(r.cfg.Ops)
}

// record accounts for one measured operation.
func (st *clientStats) record(read bool, lat time.Duration, err error) {
	if err != nil {
		st.failures++
		if st.firstErr == nil {
			st.firstErr = err
		}
		return
	}
	st.ops++
	if read {
		st.reads++
	} else {
		st.writes++
	}
	st.hist.Record(lat)
}

// merged is a Result with the histogram it was summarised from.
type merged struct {
	Result
	hist Histogram
}

// mergeStats adds up every client's statistics.
func mergeStats(stats []clientStats) *merged {
	m := &merged{}
	for i := range stats {
		st := &stats[i]
		m.hist.Merge(&st.hist)
		m.Ops += st.ops
		m.Reads += st.reads
		m.Writes += st.writes
		m.Errors += st.failures
		if m.FirstError == "" && st.firstErr != nil {
			m.FirstError = st.firstErr.Error()
		}
	}
	return m
}
