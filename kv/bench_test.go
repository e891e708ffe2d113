package kv

import (
	"encoding/binary"
	"testing"
)

// BenchmarkApplyPut measures the replicated path for Put: decode, write,
// encode the result, over a working set of 1024 keys with 100-byte values.
func BenchmarkApplyPut(b *testing.B) {
	ops := make([][]byte, 1024)
	for i := range ops {
		key := binary.BigEndian.AppendUint32([]byte("key-"), uint32(i))
		ops[i] = NewPut(key, make([]byte, 100)).Encode()
	}
	s := New(Limits{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Apply(0, ops[i%len(ops)])
	}
}

// BenchmarkDigest measures Digest, which is O(1) in the number of keys.
func BenchmarkDigest(b *testing.B) {
	s := filledStore(1, 5000)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Digest()
	}
}
