package pebblekv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

const (
	// maxSnapItem bounds a key or value length that Restore accepts, as
	// kv.Store's, so that a bad length cannot make it allocate without
	// bound.
	maxSnapItem = 64 << 20
	// restoreBatch is how many bytes Restore stages before a commit.
	restoreBatch = 4 << 20
)

// Restore replaces the whole state with a snapshot in kv's format, read
// from r to its end. It writes the new state under the other generation
// and switches to it only after the checksum and the end of r: on error
// (wrapping kv.ErrBadSnapshot, or r's own error) the state is unchanged.
func (s *Store) Restore(r io.Reader) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	next := other(s.gen)
	s.dropGeneration(next) // what a failed restore may have left
	d := &snapReader{r: bufio.NewReaderSize(r, 64<<10)}
	revision, err := s.restoreInto(next, d)
	if err != nil {
		s.dropGeneration(next)
		return err
	}
	s.dropGeneration(s.gen)
	s.gen, s.revision = next, revision
	return nil
}

// restoreInto writes the snapshot's entries under generation gen, checking
// that keys are non-empty and strictly increasing, that every version is
// in [1, revision], the checksum, and that nothing follows it.
func (s *Store) restoreInto(gen byte, d *snapReader) (uint64, error) {
	var revision uint64
	hdr := d.take(uint64(len(snapMagic) + 1))
	switch {
	case d.err != nil:
		return revision, d.fail("header")
	case string(hdr[:len(snapMagic)]) != snapMagic:
		return revision, fmt.Errorf("%w: bad magic", kv.ErrBadSnapshot)
	case hdr[len(snapMagic)] != snapVersion:
		return revision, fmt.Errorf("%w: unsupported format version %d", kv.ErrBadSnapshot, hdr[len(snapMagic)])
	}
	revision = d.uvarint()
	n := d.uvarint()
	b := s.db.NewBatch()
	defer b.Close()
	var prev, key, val []byte
	for i := uint64(0); i < n && d.err == nil; i++ {
		key = append(key[:0], d.item()...)
		val = d.item()
		version := d.uvarint()
		if d.err != nil {
			break
		}
		if len(key) == 0 || bytes.Compare(prev, key) >= 0 || version == 0 || version > revision {
			return revision, fmt.Errorf("%w: bad entry %d", kv.ErrBadSnapshot, i)
		}
		if err := b.Set(dataKey(nil, gen, key), appendStored(nil, version, val), nil); err != nil {
			return revision, fmt.Errorf("pebblekv: restore: %w", err)
		}
		if err := commitIfFull(b, restoreBatch); err != nil {
			return revision, err
		}
		prev = append(prev[:0], key...)
	}
	if d.err != nil {
		return revision, d.fail("entries")
	}
	if err := d.checkEnd(); err != nil {
		return revision, err
	}
	return revision, commitIfFull(b, 0)
}

// commitIfFull commits b without sync once it holds more than limit bytes.
func commitIfFull(b *pebble.Batch, limit int) error {
	if b.Len() <= limit || b.Empty() {
		return nil
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("pebblekv: restore: %w", err)
	}
	b.Reset()
	return nil
}

// dropGeneration deletes every key of generation gen. It panics if Pebble
// fails: the store could no longer tell its state.
func (s *Store) dropGeneration(gen byte) {
	lower, upper := genBounds(gen)
	if err := s.db.DeleteRange(lower, upper, pebble.NoSync); err != nil {
		panic(fmt.Errorf("pebblekv: drop generation %d: %w", gen, err))
	}
}

// snapReader reads a snapshot, checksumming what it consumes; the first
// error sticks.
type snapReader struct {
	r   *bufio.Reader
	sum uint32
	buf []byte
	err error
}

// take returns the next n bytes (valid until the next call).
func (d *snapReader) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if uint64(cap(d.buf)) < n {
		d.buf = make([]byte, n)
	}
	p := d.buf[:n]
	if _, d.err = io.ReadFull(d.r, p); d.err != nil {
		return nil
	}
	d.sum = crc32.Update(d.sum, castagnoli, p)
	return p
}

// uvarint reads a uvarint.
func (d *snapReader) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := d.r.ReadByte()
		if err != nil {
			d.err = err
			return 0
		}
		d.sum = crc32.Update(d.sum, castagnoli, []byte{c})
		if shift == 63 && c > 1 {
			d.err = fmt.Errorf("%w: uvarint overflows", kv.ErrBadSnapshot)
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

// item reads a length-prefixed key or value of at most maxSnapItem bytes.
func (d *snapReader) item() []byte {
	n := d.uvarint()
	if d.err == nil && n > maxSnapItem {
		d.err = fmt.Errorf("%w: item of %d bytes", kv.ErrBadSnapshot, n)
	}
	return d.take(n)
}

// checkEnd reads the checksum and checks that nothing follows it.
func (d *snapReader) checkEnd() error {
	want := d.sum
	var crc [4]byte
	if _, err := io.ReadFull(d.r, crc[:]); err != nil {
		d.err = err
		return d.fail("checksum")
	}
	if binary.BigEndian.Uint32(crc[:]) != want {
		return fmt.Errorf("%w: checksum mismatch", kv.ErrBadSnapshot)
	}
	if _, err := d.r.ReadByte(); err != io.EOF {
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: bytes after the checksum", kv.ErrBadSnapshot)
	}
	return nil
}

// fail turns the sticky error into Restore's: a short snapshot is a bad
// one, any other error is r's.
func (d *snapReader) fail(where string) error {
	if errors.Is(d.err, io.EOF) || errors.Is(d.err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated in the %s", kv.ErrBadSnapshot, where)
	}
	return d.err
}
