package kv

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestEntryLessIsBytewise checks the prefix comparison against
// bytes.Compare on keys built to tie the prefixes: short keys, zero
// bytes (a key and the same key padded with zeros), long shared
// prefixes.
func TestEntryLessIsBytewise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	alphabet := []byte{0, 1, 'a', 0xff}
	key := func() []byte {
		k := make([]byte, rng.IntN(12))
		for i := range k {
			k[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return k
	}
	for i := 0; i < 200000; i++ {
		a, b := key(), key()
		if i%3 == 0 { // a and a padded with zeros
			b = append(bytes.Clone(a), make([]byte, rng.IntN(4))...)
		}
		want := bytes.Compare(a, b) < 0
		if got := entryLess(newEntry(a, []byte("v"), 1), probe(b)); got != want {
			t.Fatalf("entryLess(%q, %q) = %v, bytes.Compare says %v", a, b, got, want)
		}
	}
}

func TestEntryFieldsDoNotOverlap(t *testing.T) {
	e := newEntry([]byte("key"), []byte("value"), 42)
	k := append(e.key(), "XX"...) // must not write over the value
	v := append(e.value(), "YY"...)
	if string(e.key()) != "key" || string(e.value()) != "value" || e.version() != 42 || string(k) != "keyXX" || string(v) != "valueYY" {
		t.Fatalf("entry after appends to its views: %q %q %d", e.key(), e.value(), e.version())
	}
	if entrySize(e) != 8 {
		t.Fatalf("entrySize %d, want 8", entrySize(e))
	}
}
