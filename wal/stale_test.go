package wal

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestTruncatePrefixLeavesSegmentsToDiscard: with Options.Discard set,
// TruncatePrefix removes no segment itself: it renames each to its stale
// name and hands the paths to Discard; the log replays without them, and
// Open hands stale files a crash left to Discard again.
func TestTruncatePrefixLeavesSegmentsToDiscard(t *testing.T) {
	dir := t.TempDir()
	var handed []string
	opts := Options{Dir: dir, SegmentSize: smallSegs, Discard: func(p []string) { handed = append(handed, p...) }}
	w, _, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	singleGroups(t, w, 1, 10, 1, 0) // segments 1..10
	if err := w.TruncatePrefix(6); err != nil {
		t.Fatal(err)
	}
	var want []string
	for seq := uint64(1); seq <= 5; seq++ {
		want = append(want, filepath.Join(dir, "log", staleFile(seq)))
	}
	if !slices.Equal(handed, want) {
		t.Fatalf("handed to Discard %v, want %v", handed, want)
	}
	for _, p := range handed {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("stale segment: %v (Discard removes it, not the log)", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened with the stale files still there (a crash before Discard
	// removed them): they are not segments, and go to Discard again.
	handed = nil
	w, rep, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sameEntries(t, rep.Entries, entries(6, 10, 1, payload))
	slices.Sort(handed)
	if !slices.Equal(handed, want) {
		t.Fatalf("Open handed %v to Discard, want %v", handed, want)
	}
}

// TestStaleSegmentsRemovedWithoutDiscard: without Options.Discard, Open
// removes stale files itself, and TruncatePrefix leaves none.
func TestStaleSegmentsRemovedWithoutDiscard(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	singleGroups(t, w, 1, 4, 1, 0)
	if err := w.TruncatePrefix(3); err != nil {
		t.Fatal(err)
	}
	if names := segNames(t, dir); !slices.Equal(names, []string{segFile(3), segFile(4)}) {
		t.Fatalf("files %v after TruncatePrefix(3)", names)
	}
	stale := filepath.Join(dir, "log", staleFile(1))
	if err := os.WriteFile(stale, []byte("old records"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, rep := reopen(t, w, dir)
	sameEntries(t, rep.Entries, entries(3, 4, 1, payload))
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale file after Open: %v", err)
	}
}
