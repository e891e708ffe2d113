package kv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"testing"
)

// filledStore returns a store after n random commands.
func filledStore(seed uint64, n int) *Store {
	rng := rand.New(rand.NewPCG(seed, seed))
	s, m := New(Limits{}), &model{data: map[string]Item{}}
	for range n {
		c := randomCommand(rng, m)
		m.exec(c)
		s.Apply(0, c.Encode())
	}
	return s
}

func TestSnapshotRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 50, 2000} {
		src := filledStore(3, n)
		snap := src.Bytes()
		dst := New(Limits{})
		mustPut(t, dst, "stale", "state")
		if err := dst.Restore(bytes.NewReader(snap)); err != nil {
			t.Fatalf("n=%d: Restore: %v", n, err)
		}
		if dst.Digest() != src.Digest() || dst.Len() != src.Len() || dst.Revision() != src.Revision() {
			t.Fatalf("n=%d: restored state differs", n)
		}
		if !bytes.Equal(dst.Bytes(), snap) {
			t.Fatalf("n=%d: snapshot of restored store differs", n)
		}
		a, _, _ := src.Scan(nil, nil, 0)
		z, _, _ := dst.Scan(nil, nil, 0)
		if !equalItems(a, z) {
			t.Fatalf("n=%d: restored items differ", n)
		}
		// The restored store keeps working identically.
		c := NewPut(b("after"), b("restore"))
		if !bytes.Equal(src.Apply(0, c.Encode()), dst.Apply(0, c.Encode())) || src.Digest() != dst.Digest() {
			t.Fatalf("n=%d: stores diverged after restore", n)
		}
	}
}

func TestRestoreDoesNotAliasSnapshot(t *testing.T) {
	src := New(Limits{})
	mustPut(t, src, "k", "v")
	snap := src.Bytes()
	dst := New(Limits{})
	if err := dst.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	for i := range snap {
		snap[i] = 0
	}
	it, found, _ := dst.Get(b("k"))
	if !found || string(it.Value) != "v" || dst.Digest() != src.Digest() {
		t.Fatal("restored store aliases the snapshot buffer")
	}
}

func TestRestoreRejectsCorruption(t *testing.T) {
	snap := filledStore(5, 100).Bytes()
	victim := filledStore(6, 40)
	digest := victim.Digest()
	check := func(what string, bad []byte) {
		t.Helper()
		if err := victim.Restore(bytes.NewReader(bad)); !errors.Is(err, ErrBadSnapshot) {
			t.Fatalf("%s: Restore err %v, want ErrBadSnapshot", what, err)
		}
		if victim.Digest() != digest {
			t.Fatalf("%s: failed Restore changed the store", what)
		}
	}
	for i := range snap {
		bad := bytes.Clone(snap)
		bad[i] ^= 1 << (i % 8)
		check("flipped byte", bad)
	}
	for _, n := range []int{0, 1, 5, 8, len(snap) - 1} {
		check("truncated", snap[:n])
	}
	check("trailing", append(bytes.Clone(snap), 0))
	check("garbage", []byte("definitely not a snapshot"))
}

func TestRestoreRejectsInvalidContent(t *testing.T) {
	// Well-checksummed snapshots whose content breaks an invariant.
	tests := []struct {
		name string
		body []byte // after the header: revision, count, entries
	}{
		{"unsorted keys", []byte{5, 2, 1, 'b', 0, 1, 1, 'a', 0, 2}},
		{"duplicate keys", []byte{5, 2, 1, 'a', 0, 1, 1, 'a', 0, 2}},
		{"empty key", []byte{5, 1, 0, 0, 1}},
		{"version zero", []byte{5, 1, 1, 'a', 0, 0}},
		{"version above revision", []byte{5, 1, 1, 'a', 0, 6}},
		{"count too large", []byte{5, 3, 1, 'a', 0, 1}},
	}
	for _, tt := range tests {
		s := New(Limits{})
		if err := s.Restore(bytes.NewReader(sealSnapshot(tt.body))); !errors.Is(err, ErrBadSnapshot) || s.Len() != 0 {
			t.Errorf("%s: err %v len %d, want ErrBadSnapshot and no change", tt.name, err, s.Len())
		}
	}
	ok := New(Limits{})
	if err := ok.Restore(bytes.NewReader(sealSnapshot([]byte{5, 2, 1, 'a', 0, 1, 1, 'b', 1, 'x', 5}))); err != nil || ok.Len() != 2 {
		t.Fatalf("valid hand-made snapshot: %v len %d", err, ok.Len())
	}
}

// sealSnapshot adds the header and checksum to a snapshot body.
func sealSnapshot(body []byte) []byte {
	s := New(Limits{}).Bytes()
	hdr := s[:snapshotHeader]
	out := append(bytes.Clone(hdr), body...)
	sum := crc32Checksum(out)
	return append(out, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
}

// TestReleaseThenRestore: Release empties the store, and a snapshot taken
// before it restores the state exactly (what an install does).
func TestReleaseThenRestore(t *testing.T) {
	src := filledStore(5, 500)
	snap, digest, size := src.Bytes(), src.Digest(), src.Size()
	src.Release()
	if src.Len() != 0 || src.Size() != 0 {
		t.Fatalf("after Release: %d keys, %d bytes", src.Len(), src.Size())
	}
	if err := src.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	if src.Digest() != digest || src.Size() != size {
		t.Fatal("restored after Release: state differs")
	}
}

// TestReleaseCollects: Release leaves the old state's memory to the
// collector, collected: the live heap the runtime reports drops by the
// state's size at once, so that a restore after it reuses that memory
// rather than growing the heap beside it.
func TestReleaseCollects(t *testing.T) {
	s := New(Limits{})
	value := make([]byte, 1<<10)
	for i := range 32 << 10 { // 32 MiB of values
		s.Apply(0, NewPut([]byte(fmt.Sprintf("key-%08d", i)), value).Encode())
	}
	runtime.GC()
	before := liveHeapBytes()
	s.Release()
	after := liveHeapBytes()
	runtime.KeepAlive(s)
	if before-after < 24<<20 {
		t.Fatalf("live heap %d MiB before Release, %d after: the old state was not collected", before>>20, after>>20)
	}
}

// liveHeapBytes is the live heap after the last collection.
func liveHeapBytes() int64 {
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	return int64(m[0].Value.Uint64())
}
