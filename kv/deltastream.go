package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// DeltaWriter writes the changes between two states in the delta format
// (core.DeltaSnapshot.WriteDeltaTo of a Store), change by change, for
// another engine of this state machine (pebblekv): what it writes,
// Store.ApplyDelta reads.
type DeltaWriter struct{ sw *snapWriter }

// NewDeltaWriter starts a delta of count changes from the state at
// revision from to the state at revision.
func NewDeltaWriter(w io.Writer, from, revision, count uint64) *DeltaWriter {
	// The buffer grows as the delta is written, as WriteTo's does (a
	// 32 KiB buffer per delta was a tenth of what the simulator's durable
	// runs allocated).
	sw := &snapWriter{w: w, b: make([]byte, 0, 512)}
	sw.b = append(sw.b, deltaMagic...)
	sw.b = append(sw.b, deltaVersion)
	sw.b = binary.AppendUvarint(sw.b, from)
	sw.b = binary.AppendUvarint(sw.b, revision)
	sw.b = binary.AppendUvarint(sw.b, count)
	return &DeltaWriter{sw: sw}
}

// Put adds the change that key holds value at version; changes come in
// increasing key order. It returns the first error writing met.
func (d *DeltaWriter) Put(key, value []byte, version uint64) error {
	d.sw.b = append(d.sw.b, deltaPut)
	d.sw.item(key)
	d.sw.item(value)
	d.sw.b = binary.AppendUvarint(d.sw.b, version)
	return d.sw.err
}

// Delete adds the change that key is absent.
func (d *DeltaWriter) Delete(key []byte) error {
	d.sw.b = append(d.sw.b, deltaDelete)
	d.sw.item(key)
	return d.sw.err
}

// Close writes the rest and the checksum, and returns the bytes written.
func (d *DeltaWriter) Close() (int64, error) { return d.sw.finish() }

// ReadDelta reads a delta from r to its end and calls fn with each change
// in key order (key and value are valid during the call only; deleted
// says the key is absent). It refuses, before any call, a delta that does
// not start from revision from. It checks what Store.ApplyDelta checks:
// an error wraps ErrBadSnapshot (or is r's, or fn's), and may come after
// fn saw every change (a bad checksum), so fn's effects must be undone on
// error. It returns the delta's from-revision and revision.
func ReadDelta(r io.Reader, from uint64, fn func(key, value []byte, version uint64, deleted bool) error) (uint64, uint64, error) {
	return readDelta(bufio.NewReaderSize(r, 64<<10), from, fn)
}

func readDelta(br *bufio.Reader, want uint64, fn func(key, value []byte, version uint64, deleted bool) error) (uint64, uint64, error) {
	d := &snapReader{r: br}
	hdr := d.take(uint64(len(deltaMagic) + 1))
	switch {
	case d.err != nil:
		return 0, 0, d.fail("delta header")
	case string(hdr[:len(deltaMagic)]) != deltaMagic:
		return 0, 0, fmt.Errorf("%w: bad delta magic", ErrBadSnapshot)
	case hdr[len(deltaMagic)] != deltaVersion:
		return 0, 0, fmt.Errorf("%w: unsupported delta version %d", ErrBadSnapshot, hdr[len(deltaMagic)])
	}
	from, revision, n := d.uvarint(), d.uvarint(), d.uvarint()
	if d.err == nil && (from != want || revision < from) {
		return 0, 0, fmt.Errorf("%w: delta from revision %d to %d onto a store at revision %d", ErrBadSnapshot, from, revision, want)
	}
	var prev []byte
	for i := uint64(0); i < n && d.err == nil; i++ {
		kind := d.take(1)
		key := d.item()
		if d.err != nil {
			break
		}
		if len(key) == 0 || bytes.Compare(prev, key) >= 0 || kind[0] > deltaPut {
			return 0, 0, fmt.Errorf("%w: bad delta entry %d", ErrBadSnapshot, i)
		}
		prev = key
		var value []byte
		var version uint64
		if kind[0] == deltaPut {
			value, version = d.item(), d.uvarint()
			if d.err != nil {
				break
			}
			if version <= from || version > revision {
				return 0, 0, fmt.Errorf("%w: delta entry %d has version %d outside (%d, %d]", ErrBadSnapshot, i, version, from, revision)
			}
		}
		if err := fn(key, value, version, kind[0] == deltaDelete); err != nil {
			return 0, 0, err
		}
	}
	return from, revision, d.end()
}
