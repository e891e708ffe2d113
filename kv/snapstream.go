package kv

import (
	"bufio"
	"io"
)

// SnapshotWriter writes a state in the snapshot format (Store.Snapshot)
// entry by entry, for another engine of this state machine (pebblekv):
// what it writes, Store.Restore reads, and equal states give equal bytes.
type SnapshotWriter struct{ sw *snapWriter }

// NewSnapshotWriter starts a snapshot of count entries at revision on w.
func NewSnapshotWriter(w io.Writer, revision, count uint64) *SnapshotWriter {
	return &SnapshotWriter{sw: newSnapWriter(w, revision, count)}
}

// Entry adds one entry; entries come in increasing key order, count in
// all. It returns the first error writing met.
func (s *SnapshotWriter) Entry(key, value []byte, version uint64) error {
	s.sw.entry(key, value, version)
	return s.sw.err
}

// Close writes the rest and the checksum, and returns the bytes written.
func (s *SnapshotWriter) Close() (int64, error) { return s.sw.finish() }

// ReadSnapshot reads a snapshot in the format Store.Snapshot writes from
// r to its end, calling fn with each entry in key order (key and value
// are valid during the call only), and returns its revision. It makes the
// checks Store.Restore makes: an error wraps ErrBadSnapshot (or is r's,
// or fn's), and may come after fn saw every entry (a bad checksum).
func ReadSnapshot(r io.Reader, fn func(key, value []byte, version uint64) error) (uint64, error) {
	d := &snapReader{r: bufio.NewReaderSize(r, 64<<10)}
	revision, n, err := d.header()
	if err != nil {
		return 0, err
	}
	var key, value, prev []byte
	for i := uint64(0); i < n && d.err == nil; i++ {
		key = d.readInto(key[:0], d.itemLen())
		value = d.readInto(value[:0], d.itemLen())
		version := d.uvarint()
		if d.err != nil {
			break
		}
		if err := checkEntry(i, prev, key, version, revision); err != nil {
			return 0, err
		}
		if err := fn(key, value, version); err != nil {
			return 0, err
		}
		prev = append(prev[:0], key...)
	}
	return revision, d.end()
}
