package pebblekv

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"

	"github.com/cockroachdb/pebble/v2"
)

// The snapshot format is kv.Store's (kv/snapshot.go), so that a snapshot
// moves between engines: magic, format version, uvarint revision, uvarint
// entry count, then per entry in key order the key and the value (uvarint
// length and bytes) and the uvarint version, and last a big-endian CRC-32C
// of everything before it.
const (
	snapMagic   = "VRKV"
	snapVersion = 1
	// snapFlush is how much WriteTo buffers between writes.
	snapFlush = 32 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshot is the state at one Snapshot call: a Pebble snapshot and the
// counters that went with it.
type snapshot struct {
	s        *Store
	snap     *pebble.Snapshot
	gen      byte
	revision uint64
}

// Snapshot captures the state as it is now, in O(1): a Pebble snapshot,
// which keeps the versions of keys it sees until it is closed. The
// returned io.WriterTo writes the state in kv's snapshot format, on any
// goroutine and more than once; the Pebble snapshot is closed when the
// handle is garbage (or at Close).
func (s *Store) Snapshot() io.WriterTo {
	snap := s.db.NewSnapshot()
	s.mu.Lock()
	s.snaps[snap] = struct{}{}
	s.mu.Unlock()
	h := &snapshot{s: s, snap: snap, gen: s.gen, revision: s.revision}
	runtime.AddCleanup(h, s.closeSnapshot, snap)
	return h
}

// closeSnapshot closes snap unless Close already did.
func (s *Store) closeSnapshot(snap *pebble.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, open := s.snaps[snap]; open {
		delete(s.snaps, snap)
		_ = snap.Close()
	}
}

// WriteTo writes the snapshot to w in kv's format.
func (p *snapshot) WriteTo(w io.Writer) (int64, error) {
	p.s.life.RLock()
	defer p.s.life.RUnlock()
	if p.s.closed {
		return 0, ErrClosed
	}
	count, err := p.count()
	if err != nil {
		return 0, err
	}
	it, err := p.iter()
	if err != nil {
		return 0, err
	}
	defer it.Close()
	sw := &snapWriter{w: w, b: make([]byte, 0, 512)}
	sw.b = append(sw.b, snapMagic...)
	sw.b = append(sw.b, snapVersion)
	sw.b = binary.AppendUvarint(sw.b, p.revision)
	sw.b = binary.AppendUvarint(sw.b, count)
	n := uint64(0)
	for ok := it.First(); ok && sw.err == nil; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return sw.n, fmt.Errorf("pebblekv: snapshot: %w", err)
		}
		e, err := parseStored(v)
		if err != nil {
			return sw.n, err
		}
		sw.item(it.Key()[1:])
		sw.item(e.value)
		sw.b = binary.AppendUvarint(sw.b, e.version)
		n++
	}
	sw.flush()
	switch {
	case sw.err != nil:
		return sw.n, sw.err
	case n != count:
		panic(fmt.Sprintf("pebblekv: a Pebble snapshot iterated twice gave %d and then %d entries", count, n))
	}
	k, err := w.Write(binary.BigEndian.AppendUint32(nil, sw.sum))
	return sw.n + int64(k), err
}

// count counts the snapshot's entries, which the format puts first (the
// store keeps no count: its writes are blind). It reads the keys only.
func (p *snapshot) count() (uint64, error) {
	it, err := p.iter()
	if err != nil {
		return 0, err
	}
	n := uint64(0)
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n, it.Close()
}

// iter opens an iterator over the snapshot's generation.
func (p *snapshot) iter() (*pebble.Iterator, error) {
	lower, upper := genBounds(p.gen)
	it, err := p.snap.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("pebblekv: snapshot: %w", err)
	}
	return it, nil
}

// snapWriter buffers a snapshot's bytes and checksums them; the first
// error sticks.
type snapWriter struct {
	w   io.Writer
	b   []byte
	n   int64
	sum uint32
	err error
}

// item appends a length-prefixed key or value; a long one is written
// straight through, without a copy into the buffer.
func (sw *snapWriter) item(v []byte) {
	if len(sw.b)+len(v) > snapFlush {
		sw.flush()
	}
	sw.b = binary.AppendUvarint(sw.b, uint64(len(v)))
	if len(v) <= snapFlush {
		sw.b = append(sw.b, v...)
		return
	}
	sw.flush()
	sw.write(v)
}

func (sw *snapWriter) flush() {
	sw.write(sw.b)
	sw.b = sw.b[:0]
}

func (sw *snapWriter) write(p []byte) {
	if sw.err != nil || len(p) == 0 {
		return
	}
	k, err := sw.w.Write(p)
	sw.n += int64(k)
	sw.sum = crc32.Update(sw.sum, castagnoli, p[:k])
	sw.err = err
}
