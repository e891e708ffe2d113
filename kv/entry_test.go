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
	ar := newArena(Layout{}) // one arena: a new one per case spent 100 s in slab allocation
	for i := 0; i < 200000; i++ {
		a, b := key(), key()
		if i%3 == 0 { // a and a padded with zeros
			b = append(bytes.Clone(a), make([]byte, rng.IntN(4))...)
		}
		want := bytes.Compare(a, b) < 0
		ar.probeKey = b
		if got := ar.less(ar.put(a, []byte("v"), 1), probe(b)); got != want {
			t.Fatalf("less(%q, %q) = %v, bytes.Compare says %v", a, b, got, want)
		}
	}
}

func TestEntryFieldsDoNotOverlap(t *testing.T) {
	a := newArena(Layout{})
	e := a.put([]byte("key"), []byte("value"), 42)
	next := a.put([]byte("next"), []byte("record"), 43) // packed after e
	t1 := a.slabs
	k := append(t1.key(e), "XX"...) // must not write over the value
	v := append(t1.value(e), "YY"...)
	if string(t1.key(e)) != "key" || string(t1.value(e)) != "value" || t1.version(e) != 42 || string(k) != "keyXX" || string(v) != "valueYY" {
		t.Fatalf("entry after appends to its views: %q %q %d", t1.key(e), t1.value(e), t1.version(e))
	}
	if e.ref>>32 != next.ref>>32 || string(t1.key(next)) != "next" || string(t1.value(next)) != "record" {
		t.Fatalf("the next record: %x after %x, %q %q", next.ref, e.ref, t1.key(next), t1.value(next))
	}
	if entrySize(e) != 8 {
		t.Fatalf("entrySize %d, want 8", entrySize(e))
	}
}
