package wal

import (
	"errors"
	"slices"
	"testing"
)

// singleGroups writes ops from..to, one group (and so one small segment)
// each, the first with hard state hs.
func singleGroups(t *testing.T, w *WAL, from, to, view uint64, hs uint64) {
	t.Helper()
	for op := from; op <= to; op++ {
		b := put(entries(op, op, view, payload), nil)
		if op == from && hs != 0 {
			b.Hard = hardN(hs)
		}
		mustWrite(t, w, b)
	}
}

// reopen closes w and opens dir again.
func reopen(t *testing.T, w *WAL, dir string) (*WAL, Replay) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return mustOpen(t, dir, smallSegs)
}

func TestTruncatePrefixKeepsHardState(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	singleGroups(t, w, 1, 10, 1, 1) // segments 1..10; the hard state is in 1
	fw := watch(w)
	if err := w.TruncatePrefix(6); err != nil {
		t.Fatal(err)
	}
	// The hard state was written again, and durably, before segment 1 went.
	if w.written != 11 || fw.durable.Load() != 11 {
		t.Fatalf("%d groups written, %d surely durable; want 11 and 11", w.written, fw.durable.Load())
	}
	if w.FirstOp() != 6 || w.LastOp() != 10 {
		t.Fatalf("bounds %d..%d, want 6..10", w.FirstOp(), w.LastOp())
	}
	if names := segNames(t, dir); names[0] != segFile(6) {
		t.Fatalf("segments %v", names)
	}
	w, rep := reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(6, 10, 1, payload))
	sameHard(t, rep, hardN(1))
	// Replacing below FirstOp is refused; at FirstOp it works.
	if err := w.Write(put(entries(5, 5, 2, payload), nil)); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("write below first: %v", err)
	}
	mustWrite(t, w, put(entries(6, 7, 2, payload), hardN(2)))
	_, rep = reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(6, 7, 2, payload))
	sameHard(t, rep, hardN(2))
}

func TestTruncatePrefixStopsAtGroupBoundary(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	mustWrite(t, w, put(entries(1, 10, 1, payload), hardN(1))) // one group, six segments
	before := segNames(t, dir)
	if err := w.TruncatePrefix(100); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); !slices.Equal(names, before) {
		t.Fatalf("segments %v, were %v: replay would start inside a group", names, before)
	}
	_, rep := reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(1, 10, 1, payload))
	sameHard(t, rep, hardN(1))
}

func TestTruncatePrefixAfterReplacement(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	singleGroups(t, w, 1, 10, 1, 1)
	mustWrite(t, w, put(entries(3, 4, 2, payload), hardN(2))) // segments 11, 12
	if err := w.TruncatePrefix(4); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); names[0] != segFile(4) {
		t.Fatalf("segments %v", names)
	}
	want := entries(3, 4, 2, payload)
	if w.FirstOp() != 3 || w.LastOp() != 4 {
		t.Fatalf("bounds %d..%d, want 3..4", w.FirstOp(), w.LastOp())
	}
	w, rep := reopen(t, w, dir)
	sameEntries(t, rep.Entries, want)
	sameHard(t, rep, hardN(2))
	mustWrite(t, w, put(entries(5, 6, 2, payload), nil))
	_, rep = reopen(t, w, dir)
	sameEntries(t, rep.Entries, append(want, entries(5, 6, 2, payload)...))
}

func TestTruncatePrefixEverything(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	singleGroups(t, w, 1, 10, 1, 0)
	if err := w.TruncatePrefix(100); err != nil {
		t.Fatal(err)
	}
	// The last segment always stays.
	if names := segNames(t, dir); !slices.Equal(names, []string{segFile(10)}) {
		t.Fatalf("segments %v", names)
	}
	w, rep := reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(10, 10, 1, payload))
	sameHard(t, rep, nil)
	// A pure cut in the last segment empties the log for good.
	mustWrite(t, w, Batch{From: 10, Hard: hardN(4)})
	singleGroups(t, w, 10, 12, 5, 0)
	mustWrite(t, w, Batch{From: 10})
	if err := w.TruncatePrefix(100); err != nil {
		t.Fatal(err)
	}
	if w.FirstOp() != 0 || w.LastOp() != 0 {
		t.Fatalf("bounds %d..%d, want an empty log", w.FirstOp(), w.LastOp())
	}
	w, rep = reopen(t, w, dir)
	if len(rep.Entries) != 0 || rep.FirstOp != 0 {
		t.Fatalf("replay %d..%d", rep.FirstOp, rep.LastOp)
	}
	sameHard(t, rep, hardN(4))
	singleGroups(t, w, 200, 203, 6, 0)
	_, rep = reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(200, 203, 6, payload))
	sameHard(t, rep, hardN(4))
}
