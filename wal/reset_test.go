package wal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResetRestartsTheLogAboveItsEnd(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	mustWrite(t, w, put(entries(1, 5, 1, payload), hardN(1)))
	if err := w.Write(put(entries(20, 22, 2, payload), nil)); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("gap without reset: %v", err)
	}
	b := put(entries(20, 22, 2, payload), hardN(2))
	b.Reset = true
	mustWrite(t, w, b)
	if w.FirstOp() != 20 || w.LastOp() != 22 {
		t.Fatalf("after reset: %d..%d", w.FirstOp(), w.LastOp())
	}
	mustWrite(t, w, put(entries(23, 23, 2, payload), nil))
	w.Close()
	w, rep := mustOpen(t, dir, smallSegs)
	sameEntries(t, rep.Entries, entries(20, 23, 2, payload))
	sameHard(t, rep, hardN(2))
	if rep.Base != 19 || rep.FirstOp != 20 {
		t.Fatalf("replay base %d first %d, want 19 and 20", rep.Base, rep.FirstOp)
	}
	// A reset with no entries leaves an empty log with a base.
	mustWrite(t, w, Batch{From: 41, Reset: true, Hard: hardN(3)})
	w.Close()
	_, rep = mustOpen(t, dir, smallSegs)
	if len(rep.Entries) != 0 || rep.Base != 40 || rep.LastOp != 0 {
		t.Fatalf("empty reset: %+v", rep)
	}
}

func TestTornResetGroupKeepsTheOldLog(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 1<<20)
	mustWrite(t, w, put(entries(1, 5, 1, payload), hardN(1)))
	w.Close()
	seg := filepath.Join(dir, "log", segNames(t, dir)[0])
	before, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	w, _ = mustOpen(t, dir, 1<<20)
	b := put(entries(20, 22, 2, payload), hardN(2))
	b.Reset = true
	mustWrite(t, w, b)
	w.Close()
	after, _ := os.ReadFile(seg)
	// Cut the group short: its end record (before the round's sync
	// record) never reached the disk.
	cut := len(after) - syncSize - 10
	if err := os.WriteFile(seg, after[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	_, rep := mustOpen(t, dir, 1<<20)
	sameEntries(t, rep.Entries, entries(1, 5, 1, payload))
	sameHard(t, rep, hardN(1))
	if rep.Base != 0 || rep.TornBytes != int64(cut-len(before)) {
		t.Fatalf("torn reset: base %d, torn %d bytes", rep.Base, rep.TornBytes)
	}
}
