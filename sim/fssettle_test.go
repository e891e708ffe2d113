package sim

import (
	"bytes"
	"testing"
)

// TestSettleMatchesReplay checks the disk's shortcut (settleShared): after
// every barrier that completes, the durable image holds what replaying
// the settled operations on a deep copy of it gives, for a few seeds of
// the durable profiles. (Dropping the cut at rest's first append, or
// letting renames through, fails it at once.)
func TestSettleMatchesReplay(t *testing.T) {
	settles := 0
	settleHook = func(f *simFS, n int) func() {
		want := deepCopy(f.durable)
		for _, o := range f.ops[:n] {
			want.apply(o)
		}
		settles++
		return func() {
			if err := sameImage(f.durable, want); err != "" {
				t.Fatalf("settle %d: %s", settles, err)
			}
		}
	}
	defer func() { settleHook = nil }()
	for _, p := range []string{"durable", "disk"} {
		for seed := uint64(1); seed <= 4; seed++ {
			if _, err := Run(Options{Profile: p, Seed: seed}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if settles < 1000 {
		t.Fatalf("only %d barriers settled", settles)
	}
}

// deepCopy returns a copy of im that shares nothing with it.
func deepCopy(im image) image {
	c := newImage()
	for k, v := range im.files {
		c.files[k] = &fileData{b: bytes.Clone(v.b)}
	}
	for k := range im.dirs {
		c.dirs[k] = true
	}
	return c
}

// sameImage describes how got differs from want ("" if it does not).
func sameImage(got, want image) string {
	if len(got.files) != len(want.files) || len(got.dirs) != len(want.dirs) {
		return "different names"
	}
	for k, v := range want.files {
		if g, ok := got.files[k]; !ok || !bytes.Equal(g.b, v.b) {
			return "file " + k + " differs"
		}
	}
	for k := range want.dirs {
		if !got.dirs[k] {
			return "directory " + k + " missing"
		}
	}
	return ""
}
