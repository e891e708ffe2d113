package kv

import (
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
	"github.com/google/btree"
)

// FNV-1a 64-bit parameters.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnv1a folds b into the FNV-1a hash h.
func fnv1a(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// fnvUint folds v into h as 8 little-endian bytes.
func fnvUint(h, v uint64) uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return fnv1a(h, b[:])
}

// mix64 is the splitmix64 finalizer: it spreads every input bit over the
// output so that sums of hashes do not cancel in structured ways.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashEntry hashes one entry: key and value length-prefixed, then version.
// Each write needs the new entry's hash and the replaced one's, so it
// uses xxHash64, which reads 32 bytes per round, rather than FNV's one
// byte: it was a fifth of the server's apply time with FNV. Both are
// stable across machines and processes, which the digest needs. A record
// keeps its entry's hash (entryHash), so each entry is hashed once.
//
// The hash is xxHash64 of the concatenation len(key) | key | len(value) |
// value | version (lengths and version as 8 little-endian bytes). An entry
// of up to hashBufSize bytes is laid out on the stack and hashed in one
// call; a larger one is streamed through a Digest, which gives the same
// hash (hashEntryStreamed). The streamed form for every entry spent most
// of its time copying small pieces into the Digest's buffer.
func hashEntry(key, value []byte, version uint64) uint64 {
	n := 24 + len(key) + len(value)
	if n > hashBufSize {
		return hashEntryStreamed(key, value, version)
	}
	var buf [hashBufSize]byte
	b := binary.LittleEndian.AppendUint64(buf[:0], uint64(len(key)))
	b = append(b, key...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(value)))
	b = append(b, value...)
	b = binary.LittleEndian.AppendUint64(b, version)
	return mix64(xxhash.Sum64(b))
}

// hashBufSize is the largest entry hashEntry lays out on the stack.
const hashBufSize = 1024

// hashEntryStreamed is hashEntry through a streaming Digest, for entries
// too large for the stack buffer.
func hashEntryStreamed(key, value []byte, version uint64) uint64 {
	var d xxhash.Digest
	d.Reset()
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(key)))
	d.Write(n[:])
	d.Write(key)
	binary.LittleEndian.PutUint64(n[:], uint64(len(value)))
	d.Write(n[:])
	d.Write(value)
	binary.LittleEndian.PutUint64(n[:], version)
	d.Write(n[:])
	return mix64(d.Sum64())
}

// Digest returns a hash of the whole logical state: every key, value and
// version, and the revision. Equal states have equal digests, on any
// machine. It is maintained incrementally (a sum of per-entry hashes), so it
// costs O(1); equal digests make equal states very likely, not certain.
func (s *Store) Digest() uint64 {
	h := fnvUint(fnvOffset, s.revision)
	h = fnvUint(h, uint64(s.tree.Len()))
	return mix64(fnvUint(h, s.sum))
}

// sumTree recomputes the entry-hash sum of a tree, whose records recs
// holds, from scratch.
func sumTree(t *btree.BTreeG[entry], recs slabs) uint64 {
	var sum uint64
	t.Ascend(func(e entry) bool {
		sum += recs.hash(e)
		return true
	})
	return sum
}
