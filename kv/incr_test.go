package kv

import (
	"errors"
	"math"
	"testing"
)

func TestIncr(t *testing.T) {
	s := New(Limits{})
	tests := []struct {
		delta   int64
		want    int64
		version uint64
	}{
		{1, 1, 1},   // absent counts as 0
		{41, 42, 2}, // each increment is a new version
		{-50, -8, 3},
		{0, -8, 4},
	}
	for _, tt := range tests {
		res := apply(t, s, NewIncr(b("n"), tt.delta))
		if res.Code != CodeOK || res.Counter != tt.want || res.Version != tt.version {
			t.Fatalf("incr %d: %+v, want %d at version %d", tt.delta, res, tt.want, tt.version)
		}
	}
	if it, _, _ := s.Get(b("n")); string(it.Value) != "-8" {
		t.Fatalf("stored %q, want decimal -8", it.Value)
	}
}

func TestIncrRejectsWithoutChange(t *testing.T) {
	tests := []struct {
		value string
		delta int64
		want  error
	}{
		{"abc", 1, ErrNotInteger},
		{"", 1, ErrNotInteger},
		{"+5", 1, ErrNotInteger},
		{"05", 1, ErrNotInteger},
		{" 5", 1, ErrNotInteger},
		{"-0", 1, ErrNotInteger},
		{"99999999999999999999", 1, ErrNotInteger},
		{"9223372036854775807", 1, ErrOverflow},
		{"-9223372036854775808", -1, ErrOverflow},
		{"1", math.MaxInt64, ErrOverflow},
	}
	for _, tt := range tests {
		s := New(Limits{})
		mustPut(t, s, "n", tt.value)
		before := s.Digest()
		res := apply(t, s, NewIncr(b("n"), tt.delta))
		if !errors.Is(res.Err(), tt.want) || s.Digest() != before {
			t.Errorf("incr %d of %q: %v (state changed: %v), want %v", tt.delta, tt.value, res.Err(), s.Digest() != before, tt.want)
		}
		if _, _, err := s.Incr(b("n"), tt.delta); !errors.Is(err, tt.want) {
			t.Errorf("Store.Incr %d of %q: %v, want %v", tt.delta, tt.value, err, tt.want)
		}
	}
}

func TestIncrBoundaries(t *testing.T) {
	s := New(Limits{})
	mustPut(t, s, "n", "9223372036854775806")
	if n, _, err := s.Incr(b("n"), 1); err != nil || n != math.MaxInt64 {
		t.Fatalf("to MaxInt64: %d %v", n, err)
	}
	mustPut(t, s, "m", "-9223372036854775807")
	if n, _, err := s.Incr(b("m"), -1); err != nil || n != math.MinInt64 {
		t.Fatalf("to MinInt64: %d %v", n, err)
	}
	if _, _, err := s.Incr(nil, 1); !errors.Is(err, ErrEmptyKey) {
		t.Fatalf("empty key: %v", err)
	}
}

func TestReadOnlyBatch(t *testing.T) {
	reads := NewBatch([]Command{NewGet(b("a")), NewScanPrefix(b("a"), 2)})
	mixed := NewBatch([]Command{NewGet(b("a")), NewIncr(b("a"), 1)})
	if !reads.ReadOnly() || mixed.ReadOnly() || NewBatch(nil).ReadOnly() || NewIncr(b("a"), 1).ReadOnly() {
		t.Fatal("a batch is read-only exactly when it is non-empty and all its commands are")
	}
	s := New(Limits{})
	mustPut(t, s, "a", "1")
	if _, ok := s.Query(reads.Encode()); !ok {
		t.Fatal("Query refused a batch of reads")
	}
	if _, ok := s.Query(mixed.Encode()); ok {
		t.Fatal("Query answered a batch with a write")
	}
}
