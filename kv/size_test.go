package kv

import (
	"bytes"
	"testing"
)

// TestSize follows writes, overwrites, deletes and a restore.
func TestSize(t *testing.T) {
	s := New(Limits{})
	check := func(want int64) {
		t.Helper()
		if got := s.Size(); got != want {
			t.Fatalf("Size() = %d, want %d", got, want)
		}
	}
	check(0)
	s.Put([]byte("ab"), []byte("12345"))
	check(7)
	s.Put([]byte("ab"), []byte("1"))
	check(3)
	s.Put([]byte("c"), bytes.Repeat([]byte("x"), 100))
	check(104)
	s.Delete([]byte("ab"))
	check(101)
	s.Delete([]byte("nope"))
	check(101)
	var buf bytes.Buffer
	if _, err := s.Snapshot().WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r := New(Limits{})
	if err := r.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	if r.Size() != 101 {
		t.Fatalf("restored Size() = %d, want 101", r.Size())
	}
}
