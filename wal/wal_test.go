package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/message"
)

// Entries with 100-byte payloads are 142-byte records (plus a 17-byte end
// record per group): a 300-byte segment holds at most two of them.
const (
	payload   = 100
	smallSegs = 300
)

func TestRoundTripAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	w, rep := mustOpen(t, dir, smallSegs)
	if len(rep.Entries) != 0 || rep.FirstOp != 0 || rep.LastOp != 0 || rep.TornBytes != 0 || rep.HasHard {
		t.Fatalf("fresh replay: %+v", rep)
	}
	mustWrite(t, w, put(entries(1, 1, 1, payload), nil))
	for op := uint64(2); op <= 20; op += 2 {
		mustWrite(t, w, put(entries(op, op+1, 1, 8), nil))
	}
	mustWrite(t, w, Batch{Hard: hardN(1)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names := segNames(t, dir)
	if len(names) < 4 {
		t.Fatalf("segments %v", names)
	}
	for i, n := range names {
		if n != segFile(uint64(i+1)) {
			t.Fatalf("segment %d is %s", i, n)
		}
		if size := groupBytes(t, filepath.Join(dir, "log", n)); size > smallSegs {
			t.Fatalf("%s holds %d bytes of groups", n, size)
		}
	}
	want := append(entries(1, 1, 1, payload), entries(2, 21, 1, 8)...)
	w, rep = mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, want)
	sameHard(t, rep, hardN(1))
	if rep.FirstOp != 1 || rep.LastOp != 21 || w.FirstOp() != 1 || w.LastOp() != 21 {
		t.Fatalf("bounds: replay %d..%d, wal %d..%d", rep.FirstOp, rep.LastOp, w.FirstOp(), w.LastOp())
	}
	mustWrite(t, w, put(entries(22, 25, 1, payload), nil))
	w.Close()
	_, rep = mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, append(want, entries(22, 25, 1, payload)...))
	sameHard(t, rep, hardN(1))
}

// TestOversizedGroupGetsOwnSegment writes a group larger than a segment
// between two small ones: it gets a segment alone (groups never span
// segments), and the next group starts another.
func TestOversizedGroupGetsOwnSegment(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	small, big := entries(1, 1, 1, 10), []message.Entry{entry(2, 1, 10), entry(3, 1, 1000), entry(4, 1, 10)}
	mustWrite(t, w, put(small, nil))
	mustWrite(t, w, put(big, nil))
	mustWrite(t, w, put(entries(5, 5, 1, 10), nil))
	w.Close()
	names := segNames(t, dir)
	if len(names) != 3 {
		t.Fatalf("segments %v", names)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "log", names[1])); fi.Size() <= headerSize+smallSegs {
		t.Fatalf("the big group's segment is %d bytes", fi.Size())
	}
	_, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, append(append(small, big...), entries(5, 5, 1, 10)...))
}

// TestReplaceSuffix replaces the log from various ops, within a segment and
// across segment boundaries, together with a new hard state, and checks
// that memory and disk agree and that no byte written before was changed.
func TestReplaceSuffix(t *testing.T) {
	for _, segSize := range []int64{smallSegs, 1 << 20} {
		for _, tc := range []struct{ from, to uint64 }{
			{6, 8}, {1, 3}, {5, 5}, {9, 9}, {9, 14}, {10, 10}, {10, 12}, {11, 12}, {2, 15}, {6, 6},
		} {
			dir := t.TempDir()
			w, _ := mustOpen(t, dir, segSize)
			mustWrite(t, w, put(entries(1, 10, 1, payload), hardN(1)))
			before := readLog(t, dir)
			mustWrite(t, w, put(entries(tc.from, tc.to, 2, payload), hardN(2)))
			want := append(entries(1, tc.from-1, 1, payload), entries(tc.from, tc.to, 2, payload)...)
			if w.LastOp() != tc.to || w.FirstOp() != 1 {
				t.Fatalf("seg %d replace %d..%d: wal bounds %d..%d", segSize, tc.from, tc.to, w.FirstOp(), w.LastOp())
			}
			w.Close()
			appendOnly(t, before, readLog(t, dir))
			w, rep := mustOpen(t, dir, segSize)
			sameEntries(t, rep.Entries, want)
			sameHard(t, rep, hardN(2))
			// The log keeps working after the replacement.
			mustWrite(t, w, put(entries(tc.to+1, tc.to+3, 2, payload), nil))
			w.Close()
			_, rep = mustOpen(t, dir, segSize)
			sameEntries(t, rep.Entries, append(want, entries(tc.to+1, tc.to+3, 2, payload)...))
			sameHard(t, rep, hardN(2))
			if rep.TornBytes != 0 {
				t.Fatalf("unexpected repair: %+v", rep)
			}
		}
	}
}

// readLog returns the contents of every segment of dir's log by name.
func readLog(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, n := range segNames(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, "log", n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	return files
}

// appendOnly fails t unless every segment of before is still there, with
// its old records as a prefix and its static header unchanged (only the
// mark slots are rewritten in place).
func appendOnly(t testing.TB, before, after map[string][]byte) {
	t.Helper()
	for n, b := range before {
		a, ok := after[n]
		if !ok || len(a) < headerSize || !bytes.Equal(a[:pageSize], b[:pageSize]) ||
			!bytes.HasPrefix(a[headerSize:], b[headerSize:]) {
			t.Fatalf("segment %s was removed or rewritten", n)
		}
	}
}

func TestPureCut(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	mustWrite(t, w, put(entries(1, 10, 1, payload), hardN(1)))
	mustWrite(t, w, Batch{From: 6, Hard: hardN(2)})
	if w.FirstOp() != 1 || w.LastOp() != 5 {
		t.Fatalf("after cut at 6: %d..%d", w.FirstOp(), w.LastOp())
	}
	mustWrite(t, w, Batch{From: 6}) // cutting at the end changes nothing
	w.Close()
	w, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(1, 5, 1, payload))
	sameHard(t, rep, hardN(2))
	// Cutting everything leaves an empty log, which may restart anywhere.
	mustWrite(t, w, Batch{From: 1})
	if w.FirstOp() != 0 || w.LastOp() != 0 {
		t.Fatalf("after cut at 1: %d..%d", w.FirstOp(), w.LastOp())
	}
	w.Close()
	w, rep = mustOpen(t, dir, smallSegs)
	if len(rep.Entries) != 0 || rep.FirstOp != 0 || rep.LastOp != 0 {
		t.Fatalf("after cut at 1: replay %d..%d (%d entries)", rep.FirstOp, rep.LastOp, len(rep.Entries))
	}
	sameHard(t, rep, hardN(2))
	mustWrite(t, w, put(entries(40, 42, 3, payload), nil))
	w.Close()
	_, rep = mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(40, 42, 3, payload))
}

func TestHardStateLatestWins(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	if _, ok := w.HardState(); ok {
		t.Fatal("fresh WAL has a hard state")
	}
	for n := uint64(1); n <= 30; n++ {
		b := Batch{Hard: hardN(n)} // alone, or with entries
		if n%2 == 0 {
			b = put(entries(n/2, n/2, 1, payload), hardN(n))
		}
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if hs, ok := w.HardState(); !ok || !equalHard(hs, *hardN(n)) {
			t.Fatalf("write %d: HardState %+v %v", n, hs, ok)
		}
	}
	if err := w.Write(put(entries(16, 16, 1, payload), nil)); err != nil { // hard state unchanged
		t.Fatal(err)
	}
	w.Close()
	_, rep := mustOpen(t, dir, smallSegs)
	sameHard(t, rep, hardN(30))
}

func TestWriteValidation(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 0)
	mustWrite(t, w, put(entries(1, 3, 1, 8), nil))
	for name, b := range map[string]Batch{
		"gap":             put(entries(5, 6, 1, 8), nil),
		"cut past end":    {From: 5},
		"not consecutive": {From: 4, Entries: []message.Entry{entry(4, 1, 8), entry(6, 1, 8)}},
		"wrong first op":  {From: 3, Entries: entries(4, 4, 1, 8)},
		"entries, From 0": {Entries: entries(4, 4, 1, 8)},
		"op zero":         {From: 0, Entries: []message.Entry{entry(0, 1, 8)}},
	} {
		if err := w.Write(b); !errors.Is(err, ErrOutOfOrder) {
			t.Errorf("%s: %v, want ErrOutOfOrder", name, err)
		}
	}
	big := entry(4, 1, DefaultMaxPayload+1)
	if err := w.Write(put([]message.Entry{big}, nil)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big payload: %v, want ErrTooLarge", err)
	}
	mustWrite(t, w, put([]message.Entry{entry(4, 1, DefaultMaxPayload)}, nil))
	size := logSize(t, dir)
	if err := w.Write(Batch{}); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	if err := w.WriteSync(Batch{}); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	if logSize(t, dir) != size {
		t.Error("an empty batch wrote something")
	}
}

func TestClosedAndBadOptions(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 0)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(put(entries(5, 5, 1, 8), nil)); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := w.Sync(); !errors.Is(err, ErrClosed) {
		t.Errorf("sync after close: %v", err)
	}
	if err := w.TruncatePrefix(2); !errors.Is(err, ErrClosed) {
		t.Errorf("truncate after close: %v", err)
	}
	if _, _, err := Open(Options{}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("open without dir: %v", err)
	}
	if _, _, err := Open(Options{Dir: dir, MaxPayload: MaxPayloadLimit + 1}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("open with huge MaxPayload: %v", err)
	}
}

// logSize returns the total size of dir's segments.
func logSize(t testing.TB, dir string) int {
	n := 0
	for _, b := range readLog(t, dir) {
		n += len(b)
	}
	return n
}

// groupBytes is the size of the records of the segment file at path, its
// sync records not counted: SegmentSize bounds the groups (see Options).
func groupBytes(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < headerSize {
		t.Fatalf("%s: %d bytes, %v", path, len(b), err)
	}
	n := 0
	for b = b[headerSize:]; len(b) > 0; {
		_, size, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b[headSize] != recSync {
			n += size
		}
		b = b[size:]
	}
	return n
}
