package wal

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// inPlace runs preparation jobs at once, on the caller's goroutine.
func inPlace(job func()) { job() }

// openPrepared opens the log in dir with prepared segments, jobs run in
// place, and closes it when the test ends.
func openPrepared(t *testing.T, dir string, segSize int64) (*WAL, Replay) {
	t.Helper()
	w, rep, err := Open(Options{Dir: dir, SegmentSize: segSize, Preallocate: true, Background: inPlace})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w, rep
}

// fileSize returns the size of dir/log/name.
func fileSize(t *testing.T, dir, name string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, "log", name))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestPreparedSegments writes across several rolls of a log that
// prepares its segments: every segment after the first starts as a
// prepared file (its full size, zeros after the header), a roll trims the
// full one to its records, the next is always prepared, and a reopen
// reads everything back without a torn byte.
func TestPreparedSegments(t *testing.T) {
	noFsync(t)
	dir := t.TempDir()
	const segSize = 4 << 10
	w, _ := openPrepared(t, dir, segSize)
	if got := fileSize(t, dir, prepFile(2)); got != headerSize+segSize {
		t.Fatalf("segment 2 prepared at Open: %d bytes, want %d", got, headerSize+segSize)
	}
	var want []string
	for i := uint64(1); i <= 60; i++ {
		mustWrite(t, w, put(entries(i, i, 1, 300), nil))
	}
	names := segNames(t, dir)
	last := w.tail().seq
	if last < 4 {
		t.Fatalf("only %d segments: the test wants rolls", last)
	}
	for seq := uint64(1); seq <= last; seq++ {
		want = append(want, segFile(seq))
	}
	want = append(want, prepFile(last+1))
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	for seq := uint64(1); seq < last; seq++ {
		if got := fileSize(t, dir, segFile(seq)); got != w.segs[seq-1].size || got > headerSize+segSize {
			t.Fatalf("segment %d is %d bytes, its records end at %d", seq, got, w.segs[seq-1].size)
		}
	}
	if got := fileSize(t, dir, segFile(last)); got != headerSize+segSize {
		t.Fatalf("last segment is %d bytes, want its prepared %d", got, headerSize+segSize)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, rep := openPrepared(t, dir, segSize)
	if rep.TornBytes != 0 || rep.LastOp != 60 {
		t.Fatalf("reopened: ops %d..%d, torn %d; want 1..60, none torn", rep.FirstOp, rep.LastOp, rep.TornBytes)
	}
	sameEntries(t, rep.Entries, entries(1, 60, 1, 300))
}

// TestPreparedFileLeftBehind: a prepared file a crash left is never read
// as part of the log, and Open removes it.
func TestPreparedFileLeftBehind(t *testing.T) {
	noFsync(t)
	dir := t.TempDir()
	w, _ := openPrepared(t, dir, 4<<10)
	mustWrite(t, w, put(entries(1, 3, 1, 100), nil))
	w.Close()
	stale := filepath.Join(dir, "log", prepFile(7))
	if err := os.WriteFile(stale, []byte("junk that is not a segment"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, rep := mustOpen(t, dir, 4<<10) // not preparing: still removes it
	sameEntries(t, rep.Entries, entries(1, 3, 1, 100))
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("a stale prepared file survived Open: %v", err)
	}
}

// TestZeroTailIsTheUnwrittenRest: zeros after the last record of the last
// segment, above its newest mark, are a prepared segment's unwritten rest:
// nothing is torn, the file keeps its size, and new records go over them.
func TestZeroTailIsTheUnwrittenRest(t *testing.T) {
	noFsync(t)
	_, after := viewChangeLog(t, 1<<20)
	dir := copyDir(t, after)
	path := filepath.Join(dir, "log", segFile(1))
	b, _ := os.ReadFile(path)
	size := len(b)
	if err := os.WriteFile(path, append(b, make([]byte, 4096)...), 0o644); err != nil {
		t.Fatal(err)
	}
	w, rep := mustOpen(t, dir, 1<<20)
	sameEntries(t, rep.Entries, newLog)
	sameHard(t, rep, newHard)
	if rep.TornBytes != 0 {
		t.Fatalf("zeros after the log were cut as torn (%d bytes)", rep.TornBytes)
	}
	next := rep.LastOp + 1
	mustWrite(t, w, put(entries(next, next, 3, 50), nil))
	w.Close()
	if got := fileSize(t, dir, segFile(1)); got != int64(size+4096) {
		t.Fatalf("file is %d bytes, want %d: the new group went over the zeros", got, size+4096)
	}
	_, rep = mustOpen(t, dir, 1<<20)
	sameEntries(t, rep.Entries, append(append(newLog[:0:0], newLog...), entries(next, next, 3, 50)...))
}

// zeroedBelowMark builds a random synced log, reopens it (Open marks all
// of it durable), then in copies of it zeros the last segment from a
// random offset below that mark to its end, keeping its size: durable
// records lost as zeros. It reports how a replay held less than was
// synced, or "".
func zeroedBelowMark(t *testing.T, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 41))
	l, m := buildRandomLog(t, rng, true)
	m.w.Close()
	w, _, err := Open(Options{Dir: l.dir, SegmentSize: l.seg})
	if err != nil {
		t.Fatal(err)
	}
	last := w.tail().seq
	w.Close()
	for range 3 {
		dir := copyDir(t, l.dir)
		path := filepath.Join(dir, "log", segFile(last))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) <= headerSize {
			return ""
		}
		off := headerSize + rng.IntN(len(b)-headerSize)
		clear(b[off:])
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if why := lessThanSynced(t, dir, l.seg, l.states[len(l.states)-1]); why != "" {
			return fmt.Sprintf("seed %d, %s zeroed from %d of %d: %s", seed, segFile(last), off, len(b), why)
		}
	}
	return ""
}

// TestZeroTailBelowMarkIsCorrupt: zeros below the newest mark are lost
// durable records, never a prepared segment's unwritten rest.
func TestZeroTailBelowMarkIsCorrupt(t *testing.T) {
	noFsync(t)
	everySeedHolds(t, 40, zeroedBelowMark)
}

// TestZeroTailBelowMarkCatchesPlant plants plant.WAL.ZeroTailAnywhere
// (zeros to the end taken for the unwritten rest wherever they start, the
// file's size kept as the segment's) and checks that the randomized test
// catches it.
func TestZeroTailBelowMarkCatchesPlant(t *testing.T) {
	noFsync(t)
	zeroTailAnywhere = true
	t.Cleanup(func() { zeroTailAnywhere = false })
	someSeedCatches(t, 40, zeroedBelowMark)
}
