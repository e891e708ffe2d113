package pebblekv

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// Incremental snapshots (core.DeltaSnapshot, core.DeltaStateMachine), in
// kv's delta format (kv.NewDeltaWriter). The store notes the key of every
// write and removal since its last Snapshot, Restore or ApplyDelta; a
// snapshot takes the notes, and its WriteDeltaTo writes each noted key's
// entry in the snapshot, or its absence. A checkpoint then costs what
// changed, not the state: without deltas every checkpoint rewrote the
// whole state (1 GB at 1M keys of 1 KiB for every 8 MiB of log).
//
// maxTrackedBytes bounds the keys and values written between two
// snapshots that the store tracks; beyond it the next snapshot has no
// delta and is written whole. It also bounds what ApplyDelta stages in
// memory: a delta is applied in one Pebble batch, so that a bad one (its
// checksum is at its end) changes nothing.
const maxTrackedBytes = 64 << 20

// changes are the keys written or removed since the baseline state of
// revision from, in order, with repeats, packed in one buffer.
type changes struct {
	buf     []byte
	ends    []int // key i is buf[ends[i-1]:ends[i]]
	written int   // key and value bytes written, against limit
	limit   int
	lost    bool
	from    uint64
}

// resetChanges starts tracking changes from the state of revision from.
func (s *Store) resetChanges(from uint64) {
	s.changes = changes{from: from, limit: s.trackLimit}
}

// note records a change of key, which wrote n bytes of key and value.
func (c *changes) note(key []byte, n int) {
	if c.lost {
		return
	}
	if c.written += n; c.written > c.limit {
		*c = changes{lost: true, from: c.from, limit: c.limit}
		return
	}
	c.buf = append(c.buf, key...)
	c.ends = append(c.ends, len(c.buf))
}

// keys appends every key noted to dst.
func (c *changes) keys(dst [][]byte) [][]byte {
	start := 0
	for _, end := range c.ends {
		dst = append(dst, c.buf[start:end])
		start = end
	}
	return dst
}

// HasDelta reports whether WriteDeltaTo can write the changes since the
// previous snapshot.
func (p *snapshot) HasDelta() bool { return !p.lost }

// Absorb extends p's changes back over prev's (core.DeltaSnapshot): prev
// must be the store's snapshot just before p.
func (p *snapshot) Absorb(prev io.WriterTo) bool {
	q, ok := prev.(*snapshot)
	if !ok || q.s != p.s || q.lost || p.lost || q.revision != p.from {
		p.lost, p.sets = true, nil
		return false
	}
	n := 0
	for _, c := range slices.Concat(q.sets, p.sets) {
		n += c.written
	}
	if n > p.s.trackLimit {
		p.lost, p.sets = true, nil
		return false
	}
	p.sets = append(slices.Clip(q.sets), p.sets...)
	p.from = q.from
	return true
}

// WriteDeltaTo writes the changes from the state of revision p.from to
// p's state: every changed key's entry in p, or its absence, in key order.
func (p *snapshot) WriteDeltaTo(w io.Writer) (int64, error) {
	if p.lost {
		return 0, fmt.Errorf("%w: the changes since the previous snapshot were not tracked", kv.ErrBadSnapshot)
	}
	p.s.life.RLock()
	defer p.s.life.RUnlock()
	if p.s.closed {
		return 0, ErrClosed
	}
	var keys [][]byte
	for _, c := range p.sets {
		keys = c.keys(keys)
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	it, err := p.iter()
	if err != nil {
		return 0, err
	}
	defer it.Close()
	dw := kv.NewDeltaWriter(w, p.from, p.revision, uint64(len(keys)))
	var k []byte
	for _, key := range keys {
		k = dataKey(k[:0], p.gen, key)
		if !it.SeekGE(k) || !bytes.Equal(it.Key(), k) {
			if err := dw.Delete(key); err != nil {
				return 0, err
			}
			continue
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return 0, fmt.Errorf("pebblekv: delta: %w", err)
		}
		e, err := parseStored(v)
		if err != nil {
			return 0, err
		}
		if err := dw.Put(key, e.value, e.version); err != nil {
			return 0, err
		}
	}
	if err := it.Error(); err != nil {
		return 0, fmt.Errorf("pebblekv: delta: %w", err)
	}
	return dw.Close()
}

// ApplyDelta applies a delta in kv's format to the state it starts from
// (core.DeltaStateMachine), in one Pebble batch: on error (wrapping
// kv.ErrBadSnapshot, or r's own) the state is unchanged.
func (s *Store) ApplyDelta(r io.Reader) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	b := s.db.NewBatch()
	defer b.Close()
	_, revision, err := kv.ReadDelta(r, s.revision, func(key, value []byte, version uint64, deleted bool) error {
		s.keyBuf = dataKey(s.keyBuf[:0], s.gen, key)
		if deleted {
			return b.Delete(s.keyBuf, nil)
		}
		s.valBuf = appendStored(s.valBuf[:0], version, value)
		return b.Set(s.keyBuf, s.valBuf, nil)
	})
	if err != nil {
		return err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		panic(fmt.Errorf("pebblekv: apply delta: %w", err))
	}
	s.revision = revision
	s.resetChanges(revision)
	return nil
}
