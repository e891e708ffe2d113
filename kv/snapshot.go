package kv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/google/btree"
)

// Snapshot format: magic, format version, uvarint revision, uvarint entry
// count, then per entry in key order the key and value (uvarint length and
// bytes) and uvarint version, and last a big-endian CRC-32C of everything
// before it.
const (
	snapshotMagic   = "VRKV"
	snapshotVersion = 1
	snapshotHeader  = len(snapshotMagic) + 1
	crcSize         = 4
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Snapshot returns the whole state in a versioned, checksummed format.
func (s *Store) Snapshot() []byte {
	size := snapshotHeader + 2*binary.MaxVarintLen64 + crcSize
	s.tree.Ascend(func(e entry) bool {
		size += 3*binary.MaxVarintLen64 + len(e.key) + len(e.value)
		return true
	})
	b := make([]byte, 0, size)
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = binary.AppendUvarint(b, s.revision)
	b = binary.AppendUvarint(b, uint64(s.tree.Len()))
	s.tree.Ascend(func(e entry) bool {
		b = appendBytes(b, e.key)
		b = appendBytes(b, e.value)
		b = binary.AppendUvarint(b, e.version)
		return true
	})
	return binary.BigEndian.AppendUint32(b, crc32Checksum(b))
}

// Restore replaces the whole state with a snapshot taken by Snapshot. On
// error (wrapping ErrBadSnapshot) the store is unchanged. Keys and values
// beyond the store's Limits are accepted: the snapshot's origin admitted
// them. The restored state does not alias snap.
func (s *Store) Restore(snap []byte) error {
	if len(snap) < snapshotHeader+crcSize {
		return fmt.Errorf("%w: %d bytes is too short", ErrBadSnapshot, len(snap))
	}
	body, sum := snap[:len(snap)-crcSize], snap[len(snap)-crcSize:]
	if string(body[:len(snapshotMagic)]) != snapshotMagic {
		return fmt.Errorf("%w: bad magic", ErrBadSnapshot)
	}
	if v := body[len(snapshotMagic)]; v != snapshotVersion {
		return fmt.Errorf("%w: unsupported format version %d", ErrBadSnapshot, v)
	}
	if crc32Checksum(body) != binary.BigEndian.Uint32(sum) {
		return fmt.Errorf("%w: checksum mismatch", ErrBadSnapshot)
	}
	tree, revision, err := decodeEntries(body[snapshotHeader:])
	if err != nil {
		return err
	}
	s.tree, s.revision, s.sum = tree, revision, sumTree(tree)
	return nil
}

// decodeEntries parses the snapshot body after the header into a new tree,
// checking that keys are non-empty and strictly increasing and that every
// version is in [1, revision].
func decodeEntries(b []byte) (*btree.BTreeG[entry], uint64, error) {
	r := newReader(bytes.Clone(b))
	revision := r.uvarint()
	n := r.count(4) // an entry takes at least 4 bytes
	tree := newTree()
	var prev []byte
	for i := 0; i < n && r.ok; i++ {
		e := entry{key: r.bytes(), value: r.bytes(), version: r.uvarint()}
		if !r.ok || len(e.key) == 0 || bytes.Compare(prev, e.key) >= 0 ||
			e.version == 0 || e.version > revision {
			return nil, 0, fmt.Errorf("%w: bad entry %d", ErrBadSnapshot, i)
		}
		tree.ReplaceOrInsert(e)
		prev = e.key
	}
	if !r.done() {
		return nil, 0, fmt.Errorf("%w: malformed body", ErrBadSnapshot)
	}
	return tree, revision, nil
}

// crc32Checksum is the CRC-32C of b.
func crc32Checksum(b []byte) uint32 { return crc32.Checksum(b, crcTable) }
