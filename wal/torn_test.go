package wal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// viewChangeLog builds the scenario of the safety problem: a log 1..10 in
// view 1 with hard state 1, then one group that replaces ops 6.. with
// 6..8 of view 2 and raises the hard state to 2 (a new last normal view).
// It returns copies of the directory before and after that group.
func viewChangeLog(t *testing.T, segSize int64) (before, after string) {
	t.Helper()
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, segSize)
	mustWrite(t, w, put(entries(1, 4, 1, payload), hardN(1)))
	mustWrite(t, w, put(entries(5, 10, 1, payload), nil))
	before = copyDir(t, dir)
	mustWrite(t, w, put(entries(6, 8, 2, payload), hardN(2)))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return before, dir
}

var (
	oldLog  = entries(1, 10, 1, payload)
	oldHard = hardN(1)
	newLog  = append(entries(1, 5, 1, payload), entries(6, 8, 2, payload)...)
	newHard = hardN(2)
)

// crashPoint is a state a crash can leave while a group is written: every
// segment before seg intact, seg cut to size bytes, no later segment.
type crashPoint struct {
	seg      string
	size     int
	torn     int  // bytes of the group present
	complete bool // the group's end record is whole
	afterEnd int  // bytes of a partial sync record after the end record
}

// crashPoints lists states that a crash while writing the group that
// turned before into after can leave, from its first byte to its last: in
// every segment the group reached, the cuts at, just after, in the middle
// of and just before each of its records (TestTornEndRecord tries every
// byte of one record).
func crashPoints(t *testing.T, before, after string) []crashPoint {
	t.Helper()
	old, cur := readLog(t, before), readLog(t, after)
	names := segNames(t, after)
	var pts []crashPoint
	torn := 0
	for i, n := range names {
		start := max(len(old[n]), headerSize) // a new segment's header is durable first
		if start == len(cur[n]) {
			continue // the group has no byte here
		}
		path := filepath.Join(after, "log", n)
		end := groupEnd(t, path)
		for _, size := range cutsIn(t, path, start) {
			p := crashPoint{seg: n, size: size, torn: torn + size - start}
			if p.complete = i == len(names)-1 && size >= end; p.complete && size < len(cur[n]) {
				p.afterEnd = size - end
			}
			pts = append(pts, p)
		}
		torn += len(cur[n]) - start
	}
	return pts
}

// groupEnd returns where the last group of the segment at path ends: where
// the sync record after it starts.
func groupEnd(t *testing.T, path string) int {
	offs, types, size := recordTypes(t, path)
	if n := len(types); n > 0 && types[n-1] == recSync {
		return offs[n-1]
	}
	return size
}

// cutsIn returns sizes to cut the segment at path to: around each record
// that starts at or after start, and its whole size last.
func cutsIn(t *testing.T, path string, start int) []int {
	offs, size := recordOffsets(t, path)
	var cuts []int
	for i, off := range offs {
		if off < start {
			continue
		}
		next := size
		if i+1 < len(offs) {
			next = offs[i+1]
		}
		cuts = append(cuts, off, off+1, (off+next)/2, next-1)
	}
	return append(cuts, size)
}

// crashAt makes a copy of dir in the state of crash point p.
func crashAt(t *testing.T, dir string, p crashPoint) string {
	t.Helper()
	cp := copyDir(t, dir)
	for _, n := range segNames(t, cp) {
		if n > p.seg {
			if err := os.Remove(filepath.Join(cp, "log", n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Truncate(filepath.Join(cp, "log", p.seg), int64(p.size)); err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestTornViewChangeGroup is the safety property: a crash at any byte of
// the group that replaces a suffix and raises the last normal view leaves
// the old log AND the old hard state, never a mix; only the whole group
// gives the new ones. A second Open finds nothing torn.
func TestTornViewChangeGroup(t *testing.T) {
	for _, segSize := range []int64{smallSegs, 1 << 20} {
		before, after := viewChangeLog(t, segSize)
		pts := crashPoints(t, before, after)
		for _, p := range pts {
			dir := crashAt(t, after, p)
			wantLog, wantHard, wantTorn := oldLog, oldHard, p.torn
			if p.complete {
				wantLog, wantHard, wantTorn = newLog, newHard, p.afterEnd
			}
			w, rep := mustOpen(t, dir, segSize)
			sameEntries(t, rep.Entries, wantLog)
			sameHard(t, rep, wantHard)
			if rep.TornBytes != int64(wantTorn) {
				t.Fatalf("seg %d crash %s@%d: torn %d bytes, want %d", segSize, p.seg, p.size, rep.TornBytes, wantTorn)
			}
			_, rep = reopenSized(t, w, dir, segSize)
			if rep.TornBytes != 0 {
				t.Fatalf("seg %d crash %s@%d: second open tore %d bytes", segSize, p.seg, p.size, rep.TornBytes)
			}
			sameEntries(t, rep.Entries, wantLog)
			sameHard(t, rep, wantHard)
		}
	}
}

// reopenSized closes w and opens dir again with segment size segSize.
func reopenSized(t *testing.T, w *WAL, dir string, segSize int64) (*WAL, Replay) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return mustOpen(t, dir, segSize)
}

// TestTornEndRecord cuts the final group's end record at every byte, and
// drops it entirely: the group never took effect. The log goes on where
// the last complete group ended.
func TestTornEndRecord(t *testing.T) {
	_, after := viewChangeLog(t, 1<<20)
	last := filepath.Join("log", segFile(1))
	offs, types, _ := recordTypes(t, filepath.Join(after, last))
	n := len(types)
	if types[n-1] != recSync || types[n-2] != recEnd || types[n-3] != recHard {
		t.Fatalf("record types %v", types)
	}
	end, syncAt := offs[n-2], offs[n-1]
	groupStart := offs[n-7] // cut, three entries, hard, end (then the round's sync record)
	// cut == end: no end record at all.
	for cut := end; cut < syncAt; cut++ {
		dir := copyDir(t, after)
		if err := os.Truncate(filepath.Join(dir, last), int64(cut)); err != nil {
			t.Fatal(err)
		}
		w, rep := mustOpen(t, dir, 1<<20)
		sameEntries(t, rep.Entries, oldLog)
		sameHard(t, rep, oldHard)
		if rep.TornBytes != int64(cut-groupStart) || rep.TornSegment != segFile(1) {
			t.Fatalf("cut %d: torn %d bytes in %q, want %d", cut, rep.TornBytes, rep.TornSegment, cut-groupStart)
		}
		if fi, _ := os.Stat(filepath.Join(dir, last)); fi.Size() != int64(groupStart) {
			t.Fatalf("cut %d: segment is %d bytes, want %d", cut, fi.Size(), groupStart)
		}
		mustWrite(t, w, put(entries(11, 11, 1, payload), hardN(3)))
		_, rep = reopenSized(t, w, dir, 1<<20)
		if rep.TornBytes != 0 {
			t.Fatalf("cut %d: second open tore %d bytes", cut, rep.TornBytes)
		}
		sameEntries(t, rep.Entries, append(oldLog, entry(11, 1, payload)))
		sameHard(t, rep, hardN(3))
	}
}

// TestTornTailShapes covers tails that are not a cut, all written after
// the last completed sync (beyond its mark's claim): a length field alone, a whole group whose end
// record is damaged, and a group's records left without their end. A flipped
// byte in the synced group itself is corruption instead
// (TestSyncedLastGroupDamage).
func TestTornTailShapes(t *testing.T) {
	_, after := viewChangeLog(t, 1<<20)
	last := filepath.Join("log", segFile(1))
	_, _, size := recordTypes(t, filepath.Join(after, last))
	noEnd := appendEntry(appendCut(nil, 11), &message.Entry{Op: 11, View: 3})
	noEnd = appendHard(noEnd, &core.HardState{View: 3, LastNormalView: 3})
	badGroup := appendEnd(bytes.Clone(noEnd), 4)
	badGroup[len(badGroup)-1] ^= 0x10 // damage with valid data after it is corruption, even here
	for name, tail := range map[string][]byte{
		"length only": append([]byte{26, 0, 0, 0}, make([]byte, 4096)...),
		"bad record":  badGroup,
		"no end":      noEnd,
	} {
		dir := copyDir(t, after)
		path := filepath.Join(dir, last)
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, append(b, tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, rep := mustOpen(t, dir, 1<<20)
		sameEntries(t, rep.Entries, newLog)
		sameHard(t, rep, newHard)
		if rep.TornBytes != int64(len(tail)) {
			t.Fatalf("%s: torn %d, want %d", name, rep.TornBytes, len(tail))
		}
		if name == "length only" && rep.TornZeros != 4096+3 { // the zeros after the length's first byte
			t.Fatalf("%s: %d of the torn bytes counted as zeros, want %d", name, rep.TornZeros, 4096+3)
		}
		if fi, _ := os.Stat(path); fi.Size() != int64(size) {
			t.Fatalf("%s: file is %d bytes after the cut, want %d", name, fi.Size(), size)
		}
	}
}
