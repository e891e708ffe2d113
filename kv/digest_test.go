package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestEntryHashMatchesStreamed checks that the one-call hash of an entry
// laid out on the stack equals the streamed hash of the same bytes, for
// sizes on both sides of the stack buffer's bound (so that digests, which
// checkpoints carry, did not change with the faster form).
func TestEntryHashMatchesStreamed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for size := 0; size <= hashBufSize+64; size += 1 + rng.IntN(7) {
		k := rng.IntN(size + 1)
		a := newArena(Layout{})
		e := a.put(randBytes(rng, k), randBytes(rng, size-k), rng.Uint64())
		key, value, version := a.slabs.key(e), a.slabs.value(e), a.slabs.version(e)
		if got, want := hashEntry(key, value, version), hashEntryStreamed(key, value, version); got != want {
			t.Fatalf("entry of %d+%d bytes: hash %#x, streamed %#x", len(key), len(value), got, want)
		}
	}
}

// TestDigestIsStable pins the digest of a small state: a change of the
// hash would make replicas of different versions disagree (this value is
// the digest computed by the code before the stack-buffer form).
func TestDigestIsStable(t *testing.T) {
	s := New(Limits{})
	mustPut(t, s, "a", "1")
	mustPut(t, s, "b", string(make([]byte, 2000))) // streamed
	mustPut(t, s, "a", "2")
	if got, want := s.Digest(), uint64(0xee68ff5d6c323c15); got != want {
		t.Fatalf("digest %#x, want %#x", got, want)
	}
}

// TestRecordsKeepTheirHash checks the hash each record keeps against the
// hash of its key, value and version, for records made by writes, by a
// snapshot's restore and by a delta's apply, values on both sides of the
// stack buffer's bound.
func TestRecordsKeepTheirHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := New(Limits{})
	for i := range 300 {
		mustPutBytes(t, s, fmt.Sprint("k", rng.IntN(100)), randBytes(rng, rng.IntN(2*hashBufSize)))
		if i%7 == 0 {
			s.Apply(0, NewDelete(fmt.Appendf(nil, "k%d", rng.IntN(100))).Encode())
		}
	}
	checkStoredHashes(t, "written", s)
	var base bytes.Buffer
	if _, err := s.Snapshot().WriteTo(&base); err != nil {
		t.Fatal(err)
	}
	r := New(Limits{})
	if err := r.Restore(&base); err != nil {
		t.Fatal(err)
	}
	checkStoredHashes(t, "restored", r)
	for range 50 {
		mustPutBytes(t, s, fmt.Sprint("k", rng.IntN(100)), randBytes(rng, rng.IntN(2*hashBufSize)))
	}
	d := s.Snapshot().(deltaSnapshot)
	if !d.HasDelta() {
		t.Fatal("no delta from the restored snapshot")
	}
	var delta bytes.Buffer
	if _, err := d.WriteDeltaTo(&delta); err != nil {
		t.Fatal(err)
	}
	if err := r.ApplyDelta(&delta); err != nil {
		t.Fatal(err)
	}
	checkStoredHashes(t, "delta-applied", r)
	if r.Digest() != s.Digest() {
		t.Fatalf("digest after the delta %#x, live %#x", r.Digest(), s.Digest())
	}
}

// checkStoredHashes fails unless every record of s keeps the hash of its
// key, value and version.
func checkStoredHashes(t *testing.T, what string, s *Store) {
	t.Helper()
	n := 0
	recs := s.recs()
	s.tree.Ascend(func(e entry) bool {
		if got, want := recs.hash(e), hashEntry(recs.key(e), recs.value(e), recs.version(e)); got != want {
			t.Fatalf("%s: key %q keeps hash %#x, its entry hashes to %#x", what, recs.key(e), got, want)
		}
		n++
		return true
	})
	if n == 0 {
		t.Fatalf("%s: empty store: nothing checked", what)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
