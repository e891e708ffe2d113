package kv

import (
	"bytes"
	"encoding/binary"

	"github.com/google/btree"
)

// btreeDegree is the B-tree's minimum degree.
const btreeDegree = 32

// entry is one key in the tree. Its key, value and version live in one
// allocation, the record: key | value | version | hash (version and hash
// 8 bytes each, little-endian; hash is entryHash's, computed once when the
// record is made).
// rec is the record sliced to the key, its capacity the whole record, so
// that a probe for a lookup is entry{prefix, key} with no allocation.
// prefix is the key's first 8 bytes, big-endian and zero-padded: it
// decides most of the tree's comparisons without touching any record.
//
// Why (issue 10, docs/benchmarks.md "One record per key"): at 1M keys the
// tree's comparisons each followed a key pointer to memory not in cache,
// every key cost the collector two objects (key and value), and each
// snapshot's copy-on-write copied 56-byte items; now no pointer is
// followed until the prefixes tie, a key is one object, and an item is
// 32 bytes.
type entry struct {
	prefix uint64
	rec    []byte
}

// recTail is the bytes of a record after its value: version and hash.
//
// Why the hash is kept (docs/benchmarks.md "Cheaper replicated writes"):
// a write subtracts the replaced entry's hash from the digest's sum, and
// recomputing it read the old value, usually not in cache: 30% of a
// replica's apply time in a profile. Now it reads 8 bytes beside the
// version.
const recTail = 16

// newEntry lays key, value and version out in a new record.
func newEntry(key, value []byte, version uint64) entry {
	n := len(key) + len(value) + recTail
	r := make([]byte, n)
	copy(r, key)
	copy(r[len(key):], value)
	seal(r, len(key), version)
	return entry{prefix: keyPrefix(key), rec: r[:len(key):n]}
}

// seal writes version and the entry's hash into the tail of record r,
// whose key is r[:klen] and value the bytes up to the tail.
func seal(r []byte, klen int, version uint64) {
	n := len(r)
	binary.LittleEndian.PutUint64(r[n-recTail:], version)
	binary.LittleEndian.PutUint64(r[n-8:], hashEntry(r[:klen], r[klen:n-recTail], version))
}

// probe is an entry to look key up with; only its key may be read.
func probe(key []byte) entry { return entry{prefix: keyPrefix(key), rec: key} }

// keyPrefix is the first 8 bytes of key, big-endian, zero-padded.
func keyPrefix(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(key)
	}
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

// key returns the entry's key; its capacity ends with it, so appending to
// it cannot write over the value.
func (e entry) key() []byte { return e.rec[:len(e.rec):len(e.rec)] }

// value returns the entry's value (capacity trimmed likewise).
func (e entry) value() []byte {
	end := cap(e.rec) - recTail
	return e.rec[len(e.rec):end:end]
}

// version returns the entry's version.
func (e entry) version() uint64 {
	full := e.rec[:cap(e.rec)]
	return binary.LittleEndian.Uint64(full[len(full)-recTail:])
}

// entryHash returns the entry's hash (hashEntry of its key, value and
// version), as its record keeps it.
func entryHash(e entry) uint64 {
	full := e.rec[:cap(e.rec)]
	return binary.LittleEndian.Uint64(full[len(full)-8:])
}

// entryLess orders entries by key, bytewise. Unequal prefixes order as
// the keys do: the first byte where they differ is a real byte of both,
// or a real byte above zero against the padding of a shorter key that
// is a prefix of the longer. Equal prefixes of keys no longer than 8
// bytes mean one key is the other padded with zeros: the shorter is less.
func entryLess(a, b entry) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if len(a.rec) <= 8 && len(b.rec) <= 8 {
		return len(a.rec) < len(b.rec)
	}
	return bytes.Compare(a.rec, b.rec) < 0
}

func newTree() *btree.BTreeG[entry] { return btree.NewG(btreeDegree, entryLess) }
