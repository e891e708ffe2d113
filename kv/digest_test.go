package kv

import (
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
		e := newEntry(randBytes(rng, k), randBytes(rng, size-k), rng.Uint64())
		if got, want := entryHash(e), entryHashStreamed(e); got != want {
			t.Fatalf("entry of %d+%d bytes: hash %#x, streamed %#x", len(e.key()), len(e.value()), got, want)
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

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
