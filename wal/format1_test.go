package wal

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFormat1 writes batches to dir as the WAL wrote logs before format 2:
// segments without a header, a new one when the next record would make the
// current one exceed size, groups spanning segments.
func writeFormat1(t *testing.T, dir string, size int, batches []Batch) {
	t.Helper()
	segs := [][]byte{nil}
	add := func(rec []byte) {
		if n := len(segs[len(segs)-1]); n > 0 && n+len(rec) > size {
			segs = append(segs, nil)
		}
		segs[len(segs)-1] = append(segs[len(segs)-1], rec...)
	}
	var last uint64
	for seq, b := range batches {
		switch {
		case b.Reset:
			add(appendReset(nil, b.From))
		case b.From != 0 && (b.From <= last || len(b.Entries) == 0):
			add(appendCut(nil, b.From))
			last = b.From - 1
		}
		for i := range b.Entries {
			add(appendEntry(nil, &b.Entries[i]))
			last = b.Entries[i].Op
		}
		if b.Hard != nil {
			add(appendHard(nil, b.Hard))
		}
		add(appendEnd(nil, uint64(seq+1)))
	}
	if err := os.MkdirAll(filepath.Join(dir, "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i, b := range segs {
		if err := os.WriteFile(filepath.Join(dir, "log", segFile(uint64(i+1))), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// format1Log is a format-1 log of two groups that span segments 1..3 and
// 3..5 (ops 1..4 and 5..8) in 300-byte segments.
func format1Log(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFormat1(t, dir, smallSegs, []Batch{put(entries(1, 4, 1, payload), hardN(1)), put(entries(5, 8, 1, payload), nil)})
	if names := segNames(t, dir); len(names) != 5 {
		t.Fatalf("format-1 log in %v, want 5 segments", names)
	}
	return dir
}

// TestFormat1LogIsRead opens a log written before format 2: it is read as
// it was, never rewritten, and new groups go to format-2 segments after it.
func TestFormat1LogIsRead(t *testing.T) {
	dir := format1Log(t)
	before := readLog(t, dir)
	w, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(1, 8, 1, payload))
	sameHard(t, rep, hardN(1))
	mustWrite(t, w, put(entries(6, 9, 2, payload), hardN(2)))
	_, rep = reopen(t, w, dir)
	want := append(entries(1, 5, 1, payload), entries(6, 9, 2, payload)...)
	sameEntries(t, rep.Entries, want)
	sameHard(t, rep, hardN(2))
	after := readLog(t, dir)
	for n, b := range before {
		if string(after[n]) != string(b) {
			t.Fatalf("format-1 segment %s was rewritten", n)
		}
	}
	b := after[segFile(6)]
	if _, err := parseHeader(b, 6); err != nil {
		t.Fatalf("new segment 6 is not format 2: %v", err)
	}
}

// TestFormat1TornTail cuts the end of a format-1 log: it has no marks, so
// the old rule applies (undecodable bytes at the end with nothing valid
// after them are a torn write).
func TestFormat1TornTail(t *testing.T) {
	dir := format1Log(t)
	last := filepath.Join(dir, "log", segFile(5))
	fi, err := os.Stat(last)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(last, fi.Size()-3); err != nil {
		t.Fatal(err)
	}
	w, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(1, 4, 1, payload))
	if rep.TornBytes == 0 {
		t.Fatal("nothing torn")
	}
	mustWrite(t, w, put(entries(5, 5, 3, payload), nil))
	_, rep = reopen(t, w, dir)
	sameEntries(t, rep.Entries, append(entries(1, 4, 1, payload), entry(5, 3, payload)))
}

// TestFormat1TruncateStopsAtGroupBoundary checks that TruncatePrefix never
// makes replay start inside a group that spans format-1 segments.
func TestFormat1TruncateStopsAtGroupBoundary(t *testing.T) {
	dir := format1Log(t)
	w, _ := mustOpen(t, dir, smallSegs)
	// Segments 1 and 2 hold only ops below 5, but segment 3 starts inside
	// the first group: nothing can go.
	if err := w.TruncatePrefix(5); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); names[0] != segFile(1) {
		t.Fatalf("segments %v: replay would start inside a group", names)
	}
	if err := w.TruncatePrefix(100); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); len(names) != 1 || names[0] != segFile(6) {
		t.Fatalf("segments %v after TruncatePrefix(100)", names)
	}
	_, rep := reopen(t, w, dir)
	if len(rep.Entries) != 0 {
		t.Fatalf("replay %s", opRange(rep.Entries))
	}
	sameHard(t, rep, hardN(1))
}

// TestFormat1EmptyLog opens the log directory of a replica that an older
// version created and never wrote to (one empty segment).
func TestFormat1EmptyLog(t *testing.T) {
	dir := t.TempDir()
	writeFormat1(t, dir, smallSegs, nil)
	w, rep := mustOpen(t, dir, smallSegs)
	if len(rep.Entries) != 0 || rep.HasHard {
		t.Fatalf("replay %+v", rep)
	}
	mustWrite(t, w, put(entries(1, 1, 1, payload), hardN(1)))
	_, rep = reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(1, 1, 1, payload))
	if names := segNames(t, dir); len(names) != 1 {
		t.Fatalf("segments %v", names)
	}
}
