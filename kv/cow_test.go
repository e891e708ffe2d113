package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSnapshotIsolatedFromLaterWrites writes a snapshot on another
// goroutine while the store keeps executing: the bytes are the state at
// the Snapshot call (run with -race for the concurrency half).
func TestSnapshotIsolatedFromLaterWrites(t *testing.T) {
	s := filledStore(7, 3000)
	want := s.Bytes()
	snap := s.Snapshot()
	var got bytes.Buffer
	done := make(chan error)
	go func() {
		_, err := snap.WriteTo(&got)
		done <- err
	}()
	rng := rand.New(rand.NewPCG(8, 8))
	m := &model{data: map[string]Item{}}
	for range 3000 {
		s.Apply(0, randomCommand(rng, m).Encode())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("snapshot written after later writes differs from the state at Snapshot")
	}
	if bytes.Equal(s.Bytes(), want) {
		t.Fatal("the later writes changed nothing: the test proves nothing")
	}
	var again bytes.Buffer
	if _, err := snap.WriteTo(&again); err != nil || !bytes.Equal(again.Bytes(), want) {
		t.Fatalf("second WriteTo differs (%v)", err)
	}
}

// TestSnapshotBytesDeterministic: stores with equal states write identical
// bytes whatever shape their trees have (one built by inserts in random
// order, one restored from a snapshot, one with keys inserted and deleted).
func TestSnapshotBytesDeterministic(t *testing.T) {
	value := bytes.Repeat([]byte("v"), 40<<10) // values that span flushes
	a := New(Limits{MaxValue: 1 << 20})
	for i := range 500 {
		mustPutBytes(t, a, fmt.Sprintf("k%04d", i), value[:i*80])
	}
	b := New(Limits{MaxValue: 1 << 20})
	if err := b.Restore(bytes.NewReader(a.Bytes())); err != nil {
		t.Fatal(err)
	}
	cmds := []Command{NewPut([]byte("k0001"), []byte("x")), NewDelete([]byte("k0002")), NewPut([]byte("zz"), value)}
	for _, c := range cmds {
		a.Apply(0, c.Encode())
		b.Apply(0, c.Encode())
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Digest() != b.Digest() {
		t.Fatal("equal states wrote different snapshots")
	}
}

func mustPutBytes(t *testing.T, s *Store, key string, value []byte) {
	t.Helper()
	if _, err := s.Put([]byte(key), value); err != nil {
		t.Fatal(err)
	}
}
