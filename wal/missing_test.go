package wal

import (
	"os"
	"path/filepath"
	"testing"
)

// removeSeg removes segment seq from a copy of golden and returns the copy.
func removeSeg(t *testing.T, golden string, seq uint64) string {
	t.Helper()
	dir := copyDir(t, golden)
	if err := os.Remove(filepath.Join(dir, "log", segFile(seq))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMissingSegments removes the first, a middle and the last segment of
// a log, before and after TruncatePrefix removed its oldest segments:
// Open must refuse the log every time, naming the missing segment.
func TestMissingSegments(t *testing.T) {
	golden := buildLog(t, 6) // segments 1..6, one group each
	for _, tc := range []struct {
		name    string
		remove  uint64
		missing string
	}{
		{"first", 1, segFile(1)},
		{"middle", 3, segFile(4)}, // the gap is reported at the segment after it
		{"last", 6, segFile(6)},
	} {
		t.Run(tc.name, func(t *testing.T) { openCorrupt(t, removeSeg(t, golden, tc.remove), tc.missing, 0) })
	}
	truncated := copyDir(t, golden)
	w, _ := mustOpen(t, truncated, smallSegs)
	if err := w.TruncatePrefix(4); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if names := segNames(t, truncated); names[0] != segFile(4) {
		t.Fatalf("segments %v after TruncatePrefix(4)", names)
	}
	_, rep := mustOpen(t, truncated, smallSegs)
	sameEntries(t, rep.Entries, entries(4, 6, 1, payload))
	t.Run("first after truncation", func(t *testing.T) { openCorrupt(t, removeSeg(t, truncated, 4), segFile(4), 0) })
	t.Run("last after truncation", func(t *testing.T) { openCorrupt(t, removeSeg(t, truncated, 6), segFile(6), 0) })
}

// TestInterruptedTruncationLeftovers puts back segments that TruncatePrefix
// removed, as a crash between flagging the new first segment and removing
// the old ones leaves them: they are not a loss, and Open takes them.
func TestInterruptedTruncationLeftovers(t *testing.T) {
	golden := buildLog(t, 6)
	dir := copyDir(t, golden)
	w, _ := mustOpen(t, dir, smallSegs)
	if err := w.TruncatePrefix(4); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, seq := range []uint64{2, 3} { // removal goes oldest first
		b, err := os.ReadFile(filepath.Join(golden, "log", segFile(seq)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "log", segFile(seq)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(2, 6, 1, payload))
	sameHard(t, rep, hardN(6))
	if err := w.TruncatePrefix(5); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); names[0] != segFile(5) {
		t.Fatalf("segments %v after TruncatePrefix(5)", names)
	}
}

// beforeRoll returns a log whose last segment (2) is full, and a copy of
// it after the next group went to a new segment 3.
func beforeRoll(t *testing.T) (before, after string) {
	t.Helper()
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	mustWrite(t, w, put(entries(1, 1, 1, payload), hardN(1)))
	mustWrite(t, w, put(entries(2, 2, 1, payload), nil))
	before = copyDir(t, dir)
	mustWrite(t, w, put(entries(3, 3, 1, payload), nil))
	w.Close()
	if n := len(segNames(t, dir)); n != 3 {
		t.Fatalf("%d segments, want 3", n)
	}
	return before, dir
}

// TestInterruptedRoll covers crashes while a roll creates the next segment:
// its header torn (the segment is removed: it held nothing), or complete
// but the full segment not sealed yet (Open seals it, so that losing the
// new segment later is noticed). A torn header after a sealed segment is
// corruption: sealing follows a durable creation.
func TestInterruptedRoll(t *testing.T) {
	before, after := beforeRoll(t)
	header := encodeHeader(3, 0)
	for _, n := range []int{0, 1, 9, pageSize, headerSize - 1} {
		dir := copyDir(t, before)
		if err := os.WriteFile(filepath.Join(dir, "log", segFile(3)), header[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		w, rep := mustOpen(t, dir, smallSegs)
		sameEntries(t, rep.Entries, entries(1, 2, 1, payload))
		if rep.TornBytes != int64(n) || rep.TornSegment != segFile(3) {
			t.Fatalf("torn header of %d bytes: torn %d in %q", n, rep.TornBytes, rep.TornSegment)
		}
		mustWrite(t, w, put(entries(3, 3, 1, payload), nil))
		_, rep = reopen(t, w, dir)
		sameEntries(t, rep.Entries, entries(1, 3, 1, payload))
	}
	dir := copyDir(t, before)
	if err := os.WriteFile(filepath.Join(dir, "log", segFile(3)), header, 0o644); err != nil {
		t.Fatal(err)
	}
	w, _ := mustOpen(t, dir, smallSegs)
	w.Close()
	openCorrupt(t, removeSeg(t, dir, 3), segFile(3), 0)

	sealed := copyDir(t, after)
	if err := os.Truncate(filepath.Join(sealed, "log", segFile(3)), 100); err != nil {
		t.Fatal(err)
	}
	openCorrupt(t, sealed, segFile(3), 0)
}

// TestTornFirstSegmentCreation covers a crash while a fresh log creates
// its first segment.
func TestTornFirstSegmentCreation(t *testing.T) {
	for _, n := range []int{0, 5, headerSize - 1} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "log"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "log", segFile(1)), encodeHeader(1, flagFirst)[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		w, rep := mustOpen(t, dir, smallSegs)
		if len(rep.Entries) != 0 || rep.HasHard {
			t.Fatalf("replay %+v", rep)
		}
		mustWrite(t, w, put(entries(1, 2, 1, payload), hardN(1)))
		_, rep = reopen(t, w, dir)
		sameEntries(t, rep.Entries, entries(1, 2, 1, payload))
	}
}

// TestDamagedHeaderOrMarks flips bytes of a segment's static header (the
// log is refused) and of its mark slots (the other slot serves; the log is
// read whole), in the last segment and in an earlier one.
func TestDamagedHeaderOrMarks(t *testing.T) {
	golden := buildLog(t, 3)
	for _, seq := range []uint64{2, 3} {
		for _, i := range []int{0, 4, 8, 9, 20, 28} {
			openCorrupt(t, flip(t, golden, segFile(seq), i), segFile(seq), 0)
		}
		for _, slot := range []int64{markOffset(0), markOffset(1)} {
			for _, i := range []int64{0, 5, 16, 30, markLen - 1} {
				dir := flip(t, golden, segFile(seq), int(slot+i))
				_, rep := mustOpen(t, dir, smallSegs)
				sameEntries(t, rep.Entries, entries(1, 3, 1, payload))
				sameHard(t, rep, hardN(3))
			}
		}
		dir := rewrite(t, golden, segFile(seq), func(b []byte) []byte {
			b[markOffset(0)] ^= 1
			b[markOffset(1)] ^= 1
			return b
		})
		openCorrupt(t, dir, segFile(seq), 0)
	}
}
