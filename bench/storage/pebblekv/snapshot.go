package pebblekv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// The snapshot format is kv.Store's, so that snapshots move between the two
// engines: magic, format version, uvarint revision, uvarint entry count,
// then per entry in key order the key and value (uvarint length and bytes)
// and uvarint version, and last a big-endian CRC-32C of everything before.
const (
	snapMagic   = "VRKV"
	snapVersion = 1
	snapHeader  = len(snapMagic) + 1
	snapCRCSize = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Bytes returns the whole state in kv.Store's snapshot format, for VR
// state transfer. It holds the whole state in memory: the durable mode's
// checkpoints use Checkpoint instead.
func (s *Store) Bytes() []byte {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: dataStart, UpperBound: dataEnd})
	if err != nil {
		panic(fmt.Errorf("pebblekv: snapshot: %w", err))
	}
	var body []byte
	n := uint64(0)
	for ok := it.First(); ok; ok = it.Next() {
		stored, err := it.ValueAndErr()
		if err != nil {
			panic(fmt.Errorf("pebblekv: snapshot: %w", err))
		}
		version, value, err := parseStored(stored)
		if err != nil {
			panic(fmt.Errorf("pebblekv: snapshot: %w", err))
		}
		body = appendLenBytes(body, it.Key()[1:])
		body = appendLenBytes(body, value)
		body = binary.AppendUvarint(body, version)
		n++
	}
	if err := it.Close(); err != nil {
		panic(fmt.Errorf("pebblekv: snapshot: %w", err))
	}
	b := make([]byte, 0, snapHeader+2*binary.MaxVarintLen64+len(body)+snapCRCSize)
	b = append(append(b, snapMagic...), snapVersion)
	b = binary.AppendUvarint(b, s.revision)
	b = binary.AppendUvarint(b, n)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// Restore replaces the whole state with a kv-format snapshot, keeping the
// applied op-number. On error (wrapping kv.ErrBadSnapshot for a bad
// snapshot) the state is unchanged.
func (s *Store) Restore(snap []byte) error { return s.RestoreAt(s.applied, snap) }

// RestoreAt is Restore that also sets the applied op-number, in the same
// batch, as state transfer does.
func (s *Store) RestoreAt(opNum uint64, snap []byte) error {
	revision, entries, err := parseSnapshot(snap)
	if err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(dataStart, dataEnd, nil); err != nil {
		return err
	}
	var key, val []byte
	for _, e := range entries {
		key = appendDataKey(key[:0], e.Key)
		val = appendStored(val[:0], e.Version, e.Value)
		if err := b.Set(key, val, nil); err != nil {
			return err
		}
	}
	var n [8]byte
	if err := b.Set(revisionKey, binary.BigEndian.AppendUint64(n[:0], revision), nil); err != nil {
		return err
	}
	if err := b.Set(appliedKey, binary.BigEndian.AppendUint64(n[:0], opNum), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("pebblekv: restore: %w", err)
	}
	s.applied, s.revision = opNum, revision
	return nil
}

// errSnap wraps kv.ErrBadSnapshot with detail.
func errSnap(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kv.ErrBadSnapshot}, args...)...)
}

// parseSnapshot checks and decodes a snapshot: its checksum, and that keys
// are non-empty and strictly increasing and versions in [1, revision]. The
// entries alias snap.
func parseSnapshot(snap []byte) (uint64, []kv.Item, error) {
	if len(snap) < snapHeader+snapCRCSize {
		return 0, nil, errSnap("%d bytes is too short", len(snap))
	}
	body, sum := snap[:len(snap)-snapCRCSize], snap[len(snap)-snapCRCSize:]
	if string(body[:len(snapMagic)]) != snapMagic || body[len(snapMagic)] != snapVersion {
		return 0, nil, errSnap("bad magic or format version")
	}
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(sum) {
		return 0, nil, errSnap("checksum mismatch")
	}
	p := parser{b: body[snapHeader:]}
	revision, n := p.uvarint(), p.uvarint()
	if p.err != nil || n > uint64(len(p.b))/3 {
		return 0, nil, errSnap("bad header")
	}
	entries := make([]kv.Item, 0, n)
	var prev []byte
	for i := uint64(0); i < n; i++ {
		e := kv.Item{Key: p.bytes(), Value: p.bytes(), Version: p.uvarint()}
		if p.err != nil || len(e.Key) == 0 || bytes.Compare(prev, e.Key) >= 0 ||
			e.Version == 0 || e.Version > revision {
			return 0, nil, errSnap("bad entry %d", i)
		}
		entries = append(entries, e)
		prev = e.Key
	}
	if p.err != nil || len(p.b) != 0 {
		return 0, nil, errSnap("malformed body")
	}
	return revision, entries, nil
}

// appendLenBytes appends b as a uvarint length and the bytes.
func appendLenBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// parser reads uvarints and length-prefixed bytes; its first error sticks.
type parser struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated or non-canonical")

// uvarint reads a canonical uvarint.
func (p *parser) uvarint() uint64 {
	if p.err != nil {
		return 0
	}
	v, n := binary.Uvarint(p.b)
	if n <= 0 || n != (bits.Len64(v|1)+6)/7 {
		p.err = errTruncated
		return 0
	}
	p.b = p.b[n:]
	return v
}

// bytes reads a length-prefixed byte string.
func (p *parser) bytes() []byte {
	n := p.uvarint()
	if p.err != nil || n > uint64(len(p.b)) {
		p.err = errTruncated
		return nil
	}
	b := p.b[:n:n]
	p.b = p.b[n:]
	return b
}
