package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"sync"

	"github.com/google/btree"
)

// Snapshot format: magic, format version, uvarint revision, uvarint entry
// count, then per entry in key order the key and value (uvarint length and
// bytes) and uvarint version, and last a big-endian CRC-32C of everything
// before it. The encoding is a function of the state alone, so equal stores
// write equal bytes.
const (
	snapshotMagic   = "VRKV"
	snapshotVersion = 1
	snapshotHeader  = len(snapshotMagic) + 1
	crcSize         = 4
	// maxSnapshotItem bounds a key or value length that Restore accepts
	// (a frame on the wire is smaller), so that a bad length cannot make
	// it allocate without bound.
	maxSnapshotItem = 64 << 20
	// snapshotFlush is how much WriteTo buffers between writes.
	snapshotFlush = 32 << 10
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// snapshot is a copy-on-write view of a store at one moment, with the
// keys changed since the store's previous snapshot (delta.go).
type snapshot struct {
	tree     *btree.BTreeG[entry]
	recs     slabs  // the table of the tree's records, as it was
	arena    *arena // the store's, pinned while WriteTo runs (arena.pinned)
	revision uint64
	sets     []noteSet // the notes of the changes (more than one set after Absorb): delta.go
	from     uint64    // the revision the changes start from
	lost     bool      // the changes were not tracked: no delta
}

// Snapshot captures the store as it is now, in O(1): a lazy copy-on-write
// clone of the tree (btree.Clone), after which the store and the clone
// share their nodes and each copies a node before it would change it. The
// returned io.WriterTo writes the state in the snapshot format; it may run
// on another goroutine while the store keeps executing (btree allows the
// original and the clone to be used concurrently once Clone returned, and
// entries are never changed in place: a write stores a new entry), and
// more than once. Snapshot itself must not run concurrently with the
// store's other methods. The snapshot takes the notes of the changes since the
// previous Snapshot (Restore, ApplyDelta) with it, for WriteDeltaTo,
// and a copy of the arena's table of slabs, through which it reads its
// records and the notes'; the arena then drops the slabs emptied since
// (arena.go), which only this snapshot and older ones can still read.
func (s *Store) Snapshot() io.WriterTo {
	c := s.changes
	s.changes = changes{from: s.revision}
	recs := s.arena.table()
	s.arena.freeEmpty()
	return &snapshot{tree: s.tree.Clone(), recs: recs, arena: s.arena, revision: s.revision,
		sets: []noteSet{{notes: c.notes, recs: recs}}, from: c.from, lost: c.lost}
}

// Bytes returns the whole state in the snapshot format, in one slice. It
// does not count as a Snapshot for the deltas.
func (s *Store) Bytes() []byte {
	var b bytes.Buffer
	p := &snapshot{tree: s.tree.Clone(), recs: s.arena.table(), arena: s.arena, revision: s.revision}
	_, _ = p.WriteTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

// WriteTo writes the snapshot to w, buffering snapshotFlush bytes at a
// time, and computes the checksum as it goes.
func (p *snapshot) WriteTo(w io.Writer) (int64, error) {
	p.arena.pinned.Add(1)
	defer p.arena.pinned.Add(-1)
	// The buffer grows as the state is written, up to snapshotFlush and
	// an item: a small state does not pay for all of it.
	sw := newSnapWriter(w, p.revision, uint64(p.tree.Len()))
	p.tree.Ascend(func(e entry) bool {
		sw.entry(p.recs.key(e), p.recs.value(e), p.recs.version(e))
		return sw.err == nil
	})
	return sw.finish()
}

// newSnapWriter starts a snapshot of count entries at revision: its
// header goes into the buffer.
func newSnapWriter(w io.Writer, revision, count uint64) *snapWriter {
	sw := &snapWriter{w: w, b: make([]byte, 0, 512)}
	sw.b = append(sw.b, snapshotMagic...)
	sw.b = append(sw.b, snapshotVersion)
	sw.b = binary.AppendUvarint(sw.b, revision)
	sw.b = binary.AppendUvarint(sw.b, count)
	return sw
}

// entry appends one entry; entries must come in key order.
func (sw *snapWriter) entry(key, value []byte, version uint64) {
	sw.item(key)
	sw.item(value)
	sw.b = binary.AppendUvarint(sw.b, version)
}

// finish writes what is buffered and the checksum, and returns the bytes
// written and the first error.
func (sw *snapWriter) finish() (int64, error) {
	sw.flush()
	if sw.err != nil {
		return sw.n, sw.err
	}
	k, err := sw.w.Write(binary.BigEndian.AppendUint32(nil, sw.sum))
	return sw.n + int64(k), err
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
// straight from the tree, without a copy into the buffer.
func (sw *snapWriter) item(v []byte) {
	if len(sw.b)+len(v) > snapshotFlush {
		sw.flush()
	}
	sw.b = binary.AppendUvarint(sw.b, uint64(len(v)))
	if len(v) <= snapshotFlush {
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
	sw.sum = crc32.Update(sw.sum, crcTable, p[:k])
	sw.err = err
}

// restoreBuffers recycles Restore's and ApplyDelta's 64 KiB read buffers
// (the simulator restores thousands of small states and deltas).
var restoreBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// Restore replaces the whole state with a snapshot that WriteTo wrote,
// read from r to its end. On error (wrapping ErrBadSnapshot, or r's own
// error) the store is unchanged. Keys and values beyond the store's Limits
// are accepted: the snapshot's origin admitted them. The restored state
// does not alias anything r returned.
func (s *Store) Restore(r io.Reader) error {
	br := restoreBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		restoreBuffers.Put(br)
	}()
	d := &snapReader{r: br, arena: newArena(s.layout)}
	tree, revision, sum, err := d.entries()
	if err != nil {
		return err
	}
	d.arena.compactions = s.arena.compactions
	s.arena, s.tree, s.revision, s.sum = d.arena, tree, revision, sum
	s.size = treeSize(tree)
	s.changes = changes{from: revision}
	return nil
}

// entries decodes a snapshot into a new tree of d's arena, checking that keys are
// non-empty and strictly increasing, that every version is in [1,
// revision], the checksum, and that nothing follows it.
func (d *snapReader) entries() (*btree.BTreeG[entry], uint64, uint64, error) {
	revision, n, err := d.header()
	if err != nil {
		return nil, 0, 0, err
	}
	tree, sum := d.arena.newTree(), uint64(0)
	var prev []byte
	for i := uint64(0); i < n && d.err == nil; i++ {
		e := d.entry()
		if d.err != nil {
			break
		}
		recs := d.arena.slabs
		if err := checkEntry(i, prev, recs.key(e), recs.version(e), revision); err != nil {
			return nil, 0, 0, err
		}
		tree.ReplaceOrInsert(e)
		sum += recs.hash(e)
		prev = recs.key(e)
	}
	if err := d.end(); err != nil {
		return nil, 0, 0, err
	}
	return tree, revision, sum, nil
}

// header reads and checks the magic and version, and returns the revision
// and the entry count.
func (d *snapReader) header() (revision, n uint64, err error) {
	hdr := d.take(uint64(snapshotHeader))
	switch {
	case d.err != nil:
		return 0, 0, d.fail("header")
	case string(hdr[:len(snapshotMagic)]) != snapshotMagic:
		return 0, 0, fmt.Errorf("%w: bad magic", ErrBadSnapshot)
	case hdr[len(snapshotMagic)] != snapshotVersion:
		return 0, 0, fmt.Errorf("%w: unsupported format version %d", ErrBadSnapshot, hdr[len(snapshotMagic)])
	}
	return d.uvarint(), d.uvarint(), nil
}

// checkEntry checks entry i after the entry whose key is prev: a
// non-empty key above prev, and a version in [1, revision].
func checkEntry(i uint64, prev, key []byte, version, revision uint64) error {
	if len(key) == 0 || bytes.Compare(prev, key) >= 0 || version == 0 || version > revision {
		return fmt.Errorf("%w: bad entry %d", ErrBadSnapshot, i)
	}
	return nil
}

// snapReader reads a snapshot's fields and checksums them; the first
// error sticks.
type snapReader struct {
	r       *bufio.Reader
	sum     uint32
	err     error
	scratch []byte // entry's key
	arena   *arena // where entry puts records
}

// fail wraps the sticky error for what was being read.
func (d *snapReader) fail(what string) error {
	if errors.Is(d.err, ErrBadSnapshot) {
		return d.err
	}
	return fmt.Errorf("%w: %s: %v", ErrBadSnapshot, what, d.err)
}

// take reads n bytes into a new slice.
func (d *snapReader) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = err
		return nil
	}
	d.sum = crc32.Update(d.sum, crcTable, b)
	return b
}

func (d *snapReader) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := d.r.ReadByte()
		if err != nil {
			d.err = err
			return 0
		}
		d.sum = crc32.Update(d.sum, crcTable, []byte{c})
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.err = fmt.Errorf("%w: varint overflows", ErrBadSnapshot)
	return 0
}

// item reads a length-prefixed key or value.
func (d *snapReader) item() []byte { return d.take(d.itemLen()) }

// entry reads a key, value and version into one new record of d's arena
// (entry.go), the key through a scratch buffer.
func (d *snapReader) entry() entry {
	d.scratch = d.readInto(d.scratch[:0], d.itemLen())
	key := d.scratch
	vlen := d.itemLen()
	if d.err != nil {
		return entry{}
	}
	e, r := d.arena.alloc(len(key), int(vlen))
	copy(r, key)
	if got := d.readInto(r[:len(key)], vlen); d.err == nil && len(got) > 0 && &got[0] != &r[0] {
		panic("kv: a restored record outgrew its place")
	}
	version := d.uvarint()
	if d.err != nil {
		return entry{}
	}
	seal(r, len(key), version)
	e.prefix = keyPrefix(key)
	return e
}

// itemLen reads a key's or value's length, within maxSnapshotItem.
func (d *snapReader) itemLen() uint64 {
	n := d.uvarint()
	if n > maxSnapshotItem && d.err == nil {
		d.err = fmt.Errorf("%w: item of %d bytes", ErrBadSnapshot, n)
	}
	return n
}

// readInto appends n bytes read to b and checksums them.
func (d *snapReader) readInto(b []byte, n uint64) []byte {
	if d.err != nil {
		return b
	}
	start := len(b)
	b = slices.Grow(b, int(n))[:start+int(n)]
	if _, err := io.ReadFull(d.r, b[start:]); err != nil {
		d.err = err
		return b[:start]
	}
	d.sum = crc32.Update(d.sum, crcTable, b[start:])
	return b
}

// end checks the checksum and that nothing follows it.
func (d *snapReader) end() error {
	if d.err != nil {
		return d.fail("entries")
	}
	want := d.sum
	var sum [crcSize]byte
	if _, err := io.ReadFull(d.r, sum[:]); err != nil {
		return fmt.Errorf("%w: checksum: %v", ErrBadSnapshot, err)
	}
	if binary.BigEndian.Uint32(sum[:]) != want {
		return fmt.Errorf("%w: checksum mismatch", ErrBadSnapshot)
	}
	if _, err := d.r.ReadByte(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: bytes after the checksum (%v)", ErrBadSnapshot, err)
	}
	return nil
}

// crc32Checksum is the CRC-32C of b.
func crc32Checksum(b []byte) uint32 { return crc32.Checksum(b, crcTable) }
