package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/message"
)

// openCorrupt opens dir and checks that it fails with a *CorruptError for
// segment seg at offset off (any offset if off < 0), and that the failed
// Open changed no file.
func openCorrupt(t *testing.T, dir, seg string, off int) {
	t.Helper()
	before := snapshot(t, dir)
	w, _, err := Open(Options{Dir: dir, SegmentSize: smallSegs})
	if err == nil {
		w.Close()
		t.Fatalf("Open succeeded on a corrupt log")
	}
	var ce *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
		t.Fatalf("Open: %v, want a *CorruptError", err)
	}
	if ce.Segment != seg || (off >= 0 && ce.Offset != int64(off)) {
		t.Fatalf("Open: %v, want segment %s offset %d", err, seg, off)
	}
	if after := snapshot(t, dir); after != before {
		t.Fatalf("a failed Open changed the files:\n%s\n%s", before, after)
	}
}

// snapshot describes the files of dir's log (names, sizes, times).
func snapshot(t *testing.T, dir string) string {
	s := ""
	for _, n := range segNames(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, "log", n))
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("%s %d %v\n", n, fi.Size(), fi.ModTime())
	}
	return s
}

// rewrite copies golden and passes the bytes of file in the copy through f.
func rewrite(t *testing.T, golden, file string, f func([]byte) []byte) string {
	t.Helper()
	dir := copyDir(t, golden)
	path := filepath.Join(dir, "log", file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(b), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// flip copies golden and flips byte i of file in the copy.
func flip(t *testing.T, golden, file string, i int) string {
	return rewrite(t, golden, file, func(b []byte) []byte { b[i] ^= 0xFF; return b })
}

// buildLog writes ops 1..n, one group each with a hard state, in small
// segments (one group per segment) and returns the directory.
func buildLog(t *testing.T, n uint64) string {
	t.Helper()
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	for op := uint64(1); op <= n; op++ {
		mustWrite(t, w, put(entries(op, op, 1, payload), hardN(op)))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMidLogCorruption flips every byte of an early record of the last
// segment, one at a time: valid data follows, so it is never a torn tail.
func TestMidLogCorruption(t *testing.T) {
	noFsync(t)
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 1<<20) // one segment
	for op := uint64(1); op <= 5; op++ {
		mustWrite(t, w, put(entries(op, op, 1, payload), hardN(op)))
	}
	w.Close()
	offs, _ := recordOffsets(t, filepath.Join(dir, "log", segFile(1)))
	for r := 3; r < 6; r++ { // the second group: entry, hard, end
		for i := offs[r]; i < offs[r+1]; i++ {
			openCorrupt(t, flip(t, dir, segFile(1), i), segFile(1), offs[r])
		}
	}
}

// TestNonFinalSegmentCorruption flips every byte of the last record of a
// segment that is not the last one, and cuts one short.
func TestNonFinalSegmentCorruption(t *testing.T) {
	golden := buildLog(t, 5)
	offs, size := recordOffsets(t, filepath.Join(golden, "log", segFile(3)))
	end := offs[len(offs)-1]
	for i := end; i < size; i++ {
		openCorrupt(t, flip(t, golden, segFile(3), i), segFile(3), end)
	}
	dir := copyDir(t, golden)
	if err := os.Truncate(filepath.Join(dir, "log", segFile(3)), int64(size-1)); err != nil {
		t.Fatal(err)
	}
	openCorrupt(t, dir, segFile(3), end)
}

func TestMissingSegmentIsCorruption(t *testing.T) {
	dir := buildLog(t, 5)
	if err := os.Remove(filepath.Join(dir, "log", segFile(3))); err != nil {
		t.Fatal(err)
	}
	openCorrupt(t, dir, segFile(4), 0)
}

// setEndSeq rewrites the end record at off of b to carry seq, with a valid
// checksum.
func setEndSeq(b []byte, off int, seq uint64) []byte {
	enc := appendEnd(nil, seq)
	copy(b[off:], enc)
	return b
}

// TestEndSequenceGap gives an end record a valid checksum but a sequence
// number that does not follow the previous one: never a torn tail, even
// as the very last record.
func TestEndSequenceGap(t *testing.T) {
	golden := buildLog(t, 5)
	for _, seq := range []uint64{2, 4, 1} {
		offs, _ := recordOffsets(t, filepath.Join(golden, "log", segFile(3)))
		end := offs[len(offs)-1]
		dir := rewrite(t, golden, segFile(3), func(b []byte) []byte { return setEndSeq(b, end, seq) })
		openCorrupt(t, dir, segFile(3), end)
	}
	offs, _ := recordOffsets(t, filepath.Join(golden, "log", segFile(5)))
	end := offs[len(offs)-1]
	dir := rewrite(t, golden, segFile(5), func(b []byte) []byte { return setEndSeq(b, end, 7) })
	openCorrupt(t, dir, segFile(5), end)
}

// TestBadGroupShapes appends checksum-valid records that Write never
// produces: they are corruption, not a torn tail.
func TestBadGroupShapes(t *testing.T) {
	golden := buildLog(t, 5)
	last := segFile(5)
	_, size := recordOffsets(t, filepath.Join(golden, "log", last))
	e6 := entry(6, 1, 8)
	for name, tail := range map[string]struct {
		recs []byte
		bad  int // offset of the bad record within recs
	}{
		"empty group":       {appendEnd(nil, 6), 0},
		"hard before entry": {appendEnd(appendEntry(appendHard(nil, hardN(9)), &e6), 6), 0},
		"cut after entry":   {appendEnd(appendCut(appendEntry(nil, &e6), 6), 6), int(entrySize(&e6))},
		"gap":               {appendEnd(appendEntry(nil, &message.Entry{Op: 8}), 6), 0},
		"unknown type":      {unknownRecord(), 0},
	} {
		dir := rewrite(t, golden, last, func(b []byte) []byte { return append(b, tail.recs...) })
		t.Run(name, func(t *testing.T) { openCorrupt(t, dir, last, size+tail.bad) })
	}
}

// unknownRecord returns a record of type 9 with a valid checksum.
func unknownRecord() []byte {
	b, start := beginRecord(nil, 9)
	return finishRecord(le.AppendUint64(b, 1), start)
}

// TestBadSyncRecords puts checksum-valid sync records where a sync round
// never writes one: inside a group, naming another group, at another
// offset than they say, before any group. Corruption, not a torn tail.
func TestBadSyncRecords(t *testing.T) {
	golden := buildLog(t, 5)
	last := segFile(5)
	offs, types, size := recordTypes(t, filepath.Join(golden, "log", last))
	if types[len(types)-1] != recSync {
		t.Fatalf("record types %v", types)
	}
	groupStart := offs[0]
	e6 := entry(6, 1, 8)
	for name, tail := range map[string]struct {
		recs []byte
		bad  int // offset of the bad record within recs
	}{
		"inside a group": {appendEnd(appendSync(appendEntry(nil, &e6), 5, uint64(size)+uint64(entrySize(&e6))), 6), int(entrySize(&e6))},
		"wrong group":    {appendSync(nil, 4, uint64(size)), 0},
		"wrong offset":   {appendSync(nil, 5, uint64(size)+1), 0},
	} {
		dir := rewrite(t, golden, last, func(b []byte) []byte { return append(b, tail.recs...) })
		t.Run(name, func(t *testing.T) { openCorrupt(t, dir, last, size+tail.bad) })
	}
	// A sync record before any group: put one in front of the first group
	// of a one-segment log.
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 1<<20)
	mustWrite(t, w, put(entries(1, 2, 1, payload), hardN(1)))
	w.Close()
	dir = rewrite(t, dir, segFile(1), func(b []byte) []byte {
		return append(append(append([]byte(nil), b[:groupStart]...), appendSync(nil, 0, uint64(groupStart))...), b[groupStart:]...)
	})
	openCorrupt(t, dir, segFile(1), groupStart)
}

// TestTruncationBelowMarkIsCorruption cuts the end off a log that Open has
// made durable and marked, twice (so that the newest mark is in the second
// slot and the older one vouches for less): bytes below the newest mark's
// durable offset were durable, so their loss is corruption, even when what
// is left looks like a torn write.
func TestTruncationBelowMarkIsCorruption(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 1<<20)
	mustWrite(t, w, put(entries(1, 5, 1, payload), hardN(1)))
	w.Close()
	w, _ = mustOpen(t, dir, 1<<20) // marks ops 1..5 durable
	mustWrite(t, w, put(entries(6, 6, 1, payload), hardN(2)))
	w.Close()
	w, _ = mustOpen(t, dir, 1<<20) // marks ops 1..6 durable
	w.Close()
	path := filepath.Join(dir, "log", segFile(1))
	offs, _, size := recordTypes(t, path)
	for _, cut := range []int{size - 1, offs[len(offs)-1], offs[len(offs)-2] + 3, offs[len(offs)-5]} {
		c := copyDir(t, dir)
		if err := os.Truncate(filepath.Join(c, "log", segFile(1)), int64(cut)); err != nil {
			t.Fatal(err)
		}
		openCorrupt(t, c, segFile(1), -1)
	}
}
