package sim

import (
	"bytes"
	"os"
	"testing"
)

// TestSettleMatchesReplay checks the disk's shortcut (settleShared): after
// every barrier that completes, the durable image holds what replaying
// the settled operations on a deep copy of it gives, for a few seeds of
// the durable profiles. (Dropping the cut at rest's first append, or
// letting renames through, fails it at once.)
func TestSettleMatchesReplay(t *testing.T) {
	settles := checkSettles(t)
	for _, p := range []string{"durable", "disk"} {
		for seed := uint64(1); seed <= 4; seed++ {
			if _, err := Run(Options{Profile: p, Seed: seed}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if *settles < 1000 {
		t.Fatalf("only %d barriers settled", *settles)
	}
}

// TestSettleDirRename checks a renamed directory (which no seed of the
// durable profiles renames while its files are in flight): its files'
// writes must reach the durable image under their new names.
func TestSettleDirRename(t *testing.T) {
	settles := checkSettles(t)
	f := newSimFS()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.MkdirAll("/d", 0o755))
	h, err := f.OpenFile("/d/a", os.O_CREATE|os.O_WRONLY, 0o644)
	must(err)
	_, err = h.Write([]byte("settled"))
	must(err)
	must(h.Sync())
	must(f.Rename("/d", "/e"))
	must(f.SyncDir("/"))
	h, err = f.OpenFile("/e/a", os.O_WRONLY, 0)
	must(err)
	_, err = h.WriteAt([]byte(" in flight"), 7)
	must(err)
	f.complete(2)
	if b, _ := f.durable.bytes("/e/a"); string(b) != "settled" || *settles != 1 {
		t.Fatalf("durable /e/a holds %q after %d settles", b, *settles)
	}
}

// checkSettles makes every settle until the test ends check its result
// against a replay of the operations on a deep copy of the durable image,
// and returns the count of settles.
func checkSettles(t *testing.T) *int {
	settles := new(int)
	settleHook = func(f *simFS, n int) func() {
		want := deepCopy(f.durable)
		for _, o := range f.ops[:n] {
			want.apply(o)
		}
		*settles++
		return func() {
			if err := sameImage(f.durable, want); err != "" {
				t.Fatalf("settle %d: %s", *settles, err)
			}
		}
	}
	t.Cleanup(func() { settleHook = nil })
	return settles
}

// deepCopy returns a copy of im that shares nothing with it.
func deepCopy(im image) image {
	c := newImage()
	for k, v := range im.files {
		c.files[k] = viewOf(v.contents())
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
		if g, ok := got.files[k]; !ok || !bytes.Equal(g.contents(), v.contents()) {
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
