package kv

import (
	"bytes"
	"io"
	"testing"
)

// stateMachine mirrors core.StateMachine, which kv does not import.
type stateMachine interface {
	Apply(index uint64, op []byte) []byte
	Snapshot() io.WriterTo
	Restore(r io.Reader) error
}

var _ stateMachine = (*Store)(nil)

func b(s string) []byte { return []byte(s) }

// apply runs c through the encoded path and decodes the result.
func apply(t testing.TB, s *Store, c Command) Result {
	t.Helper()
	res, err := DecodeResult(s.Apply(0, c.Encode()))
	if err != nil {
		t.Fatalf("DecodeResult: %v", err)
	}
	return res
}

// mustPut stores value under key and returns its version.
func mustPut(t testing.TB, s *Store, key, value string) uint64 {
	t.Helper()
	v, err := s.Put(b(key), b(value))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return v
}

// keysOf lists item keys.
func keysOf(items []Item) []string {
	var ks []string
	for _, it := range items {
		ks = append(ks, string(it.Key))
	}
	return ks
}

// equalItems compares items bytewise (nil equals empty).
func equalItems(a, b []Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Key, b[i].Key) || !bytes.Equal(a[i].Value, b[i].Value) ||
			a[i].Version != b[i].Version {
			return false
		}
	}
	return true
}
