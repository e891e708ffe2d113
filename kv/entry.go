package kv

import (
	"bytes"
	"encoding/binary"
)

// btreeDegree is the B-tree's minimum degree.
const btreeDegree = 32

// entry is one key in the tree: where its record is, and enough of it to
// order most keys without reading the record. It holds no pointer, so
// the collector never scans the tree's items and copying them (a
// snapshot's copy-on-write) needs no write barriers.
//
// The record (arena.go) is key | value | version | hash in a slab of the
// store's arena: version and hash 8 bytes each, little-endian; hash is
// entryHash's, computed once when the record is made. ref is the slab's
// index (high 32 bits) and the record's offset in it (low 32). klen is the
// key's length and n the record's (key, value and tail); a tombstone
// (delta.go) has n == klen. prefix is the key's first 8 bytes, big-endian
// and zero-padded: it decides most of the tree's comparisons, and with
// klen all of them for keys of at most 8 bytes.
//
// Why (issue 10, docs/benchmarks.md "Records in slabs, fewer bases"): with a record
// per allocation, each item held a pointer, so every collection followed
// a million pointers at 1M keys and every copied tree node ran the
// collector's write barrier per item: a third of a backup's CPU at 1 GB of
// state. Earlier (docs/benchmarks.md "One record per key") key and value
// were two objects and items 56 bytes; now items are 24.
type entry struct {
	prefix uint64
	ref    uint64
	klen   uint32
	n      uint32
}

// recTail is the bytes of a record after its value: version and hash.
//
// Why the hash is kept (docs/benchmarks.md "Cheaper replicated writes"):
// a write subtracts the replaced entry's hash from the digest's sum, and
// recomputing it read the old value, usually not in cache: 30% of a
// replica's apply time in a profile. Now it reads 8 bytes beside the
// version.
const recTail = 16

// probeRef is the ref of a probe: an entry to look a key up with, whose
// key is the arena's probeKey rather than a record.
const probeRef = ^uint64(0)

// slabs is a table of slabs by index: an arena's own (live) table, or a
// snapshot's copy of it. An entry's record is read through the table of
// the tree it came from.
type slabs [][]byte

// rec returns e's record, capacity trimmed to it.
func (t slabs) rec(e entry) []byte {
	off := uint32(e.ref) + recHeader
	return t[e.ref>>32][off : off+e.n : off+e.n]
}

// key returns e's key; its capacity ends with it, so appending to it
// cannot write over the value.
func (t slabs) key(e entry) []byte { return t.rec(e)[:e.klen:e.klen] }

// value returns e's value (capacity trimmed likewise).
func (t slabs) value(e entry) []byte {
	end := e.n - recTail
	return t.rec(e)[e.klen:end:end]
}

// version returns e's version.
func (t slabs) version(e entry) uint64 {
	r := t.rec(e)
	return binary.LittleEndian.Uint64(r[len(r)-recTail:])
}

// hash returns e's hash (hashEntry of its key, value and version), as
// its record keeps it.
func (t slabs) hash(e entry) uint64 {
	r := t.rec(e)
	return binary.LittleEndian.Uint64(r[len(r)-8:])
}

// item returns e as an Item whose slices alias the record.
func (t slabs) item(e entry) Item {
	return Item{Key: t.key(e), Value: t.value(e), Version: t.version(e)}
}

// seal writes version and the entry's hash into the tail of record r,
// whose key is r[:klen] and value the bytes up to the tail.
func seal(r []byte, klen int, version uint64) {
	n := len(r)
	binary.LittleEndian.PutUint64(r[n-recTail:], version)
	binary.LittleEndian.PutUint64(r[n-8:], hashEntry(r[:klen], r[klen:n-recTail], version))
}

// entrySize is what an entry counts in Size: its key and value.
func entrySize(e entry) int64 { return int64(e.n) - recTail }

// probe is an entry to look key up with; the arena must hold key as its
// probeKey while the tree compares it (as Store.lookup sets it).
func probe(key []byte) entry {
	return entry{prefix: keyPrefix(key), ref: probeRef, klen: uint32(len(key))}
}

// keyPrefix is the first 8 bytes of key, big-endian, zero-padded.
func keyPrefix(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(key)
	}
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

// less orders entries by key, bytewise, reading keys from the arena
// (or its probe) when the prefixes tie. Unequal prefixes order as the keys do: the first byte
// where they differ is a real byte of both, or a real byte above zero
// against the padding of a shorter key that is a prefix of the longer.
// Equal prefixes of keys no longer than 8 bytes mean one key is the
// other padded with zeros: the shorter is less.
func (ar *arena) less(a, b entry) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if a.klen <= 8 && b.klen <= 8 {
		return a.klen < b.klen
	}
	return bytes.Compare(ar.key(a), ar.key(b)) < 0
}
