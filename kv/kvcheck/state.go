package kvcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// kvState is the model state of the keys of one partition, sorted by key.
// A key whose state is the zero keyState (absent, no versions yet) is left
// out, so that equal states have one representation. A kvState is never
// modified: set returns a copy.
type kvState []keyEntry

// keyEntry is one key of a kvState.
type keyEntry struct {
	key string
	st  keyState
}

// find returns the position of key in s and whether it is there.
func (s kvState) find(key string) (int, bool) {
	return slices.BinarySearchFunc(s, key, func(e keyEntry, k string) int { return strings.Compare(e.key, k) })
}

// get returns the state of key.
func (s kvState) get(key string) keyState {
	if i, ok := s.find(key); ok {
		return s[i].st
	}
	return keyState{}
}

// set returns s with key in state st.
func (s kvState) set(key string, st keyState) kvState {
	i, ok := s.find(key)
	switch {
	case ok && st == (keyState{}):
		return slices.Delete(slices.Clone(s), i, i+1)
	case ok:
		out := slices.Clone(s)
		out[i].st = st
		return out
	case st == (keyState{}):
		return s
	}
	return slices.Insert(slices.Clone(s), i, keyEntry{key, st})
}

func (s kvState) equal(t kvState) bool { return slices.Equal(s, t) }

// FNV-1a 64-bit parameters, for hash.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	// longString is the longest string hash folds in byte by byte.
	longString = 64
)

// hash hashes s (FNV-1a over its fields, each string ended by its
// length; a string longer than longString is folded in as its xxHash:
// porcupine hashes every state it caches, and FNV's byte loop over values
// of up to 1 MiB was a fifth of the CPU of the simulator's bandwidth and
// large profiles).
func (s kvState) hash() uint64 {
	h := uint64(fnvOffset)
	str := func(v string) {
		if len(v) > longString {
			h = (h ^ xxhash.Sum64String(v)) * fnvPrime
		} else {
			for i := 0; i < len(v); i++ {
				h = (h ^ uint64(v[i])) * fnvPrime
			}
		}
		h = (h ^ uint64(len(v))) * fnvPrime
	}
	num := func(v uint64) { h = (h ^ v) * fnvPrime }
	for _, e := range s {
		str(e.key)
		str(e.st.Value)
		num(e.st.Version)
		num(e.st.Floor)
		if e.st.Exists {
			num(1)
		}
	}
	return h
}

// String describes the state for porcupine's visualization.
func (s kvState) String() string {
	parts := make([]string, len(s))
	for i, e := range s {
		parts[i] = fmt.Sprintf("%q: %s", e.key, e.st)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// String describes one key's state.
func (s keyState) String() string {
	switch {
	case !s.Exists:
		return fmt.Sprintf("absent (versions > %d)", s.Floor)
	case s.Version == 0:
		return fmt.Sprintf("%q @ >%d", s.Value, s.Floor)
	}
	return fmt.Sprintf("%q @ %d", s.Value, s.Version)
}
