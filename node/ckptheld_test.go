package node

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestRetainHeldKeepsWhatIsBeingFetched: the newest two saved
// checkpoints are always held; an older one only while a peer read it
// within servedGrace, and no more than servedExtra of those.
func TestRetainHeldKeepsWhatIsBeingFetched(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	held := func(op uint64, readAgo time.Duration) heldFile {
		h := heldFile{op: op, served: new(atomic.Int64)}
		if readAgo >= 0 {
			h.served.Store(now.Add(-readAgo).UnixNano())
		}
		return h
	}
	ops := func(hs []heldFile) (out []uint64) {
		for _, h := range hs {
			out = append(out, h.op)
		}
		return out
	}
	never := time.Duration(-1)
	for _, c := range []struct {
		name       string
		in         []heldFile
		keep, drop []uint64
	}{
		{"newest two", []heldFile{held(9, never), held(8, never), held(7, never)}, []uint64{9, 8}, []uint64{7}},
		{"one being fetched", []heldFile{held(9, never), held(8, never), held(7, time.Second)}, []uint64{9, 8, 7}, nil},
		{"read too long ago", []heldFile{held(9, never), held(8, never), held(7, servedGrace + time.Second)}, []uint64{9, 8}, []uint64{7}},
		{"at most servedExtra more", []heldFile{held(9, 0), held(8, 0), held(7, 0), held(6, 0), held(5, 0)}, []uint64{9, 8, 7, 6}, []uint64{5}},
	} {
		keep, drop := retainHeld(c.in, now)
		if got, want := ops(keep), c.keep; !equalOps(got, want) {
			t.Errorf("%s: kept %v, want %v", c.name, got, want)
		}
		if got, want := ops(drop), c.drop; !equalOps(got, want) {
			t.Errorf("%s: dropped %v, want %v", c.name, got, want)
		}
	}
}

func equalOps(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
