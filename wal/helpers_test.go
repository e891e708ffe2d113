package wal

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// entry returns a deterministic entry for op in view with a payload of n
// bytes that depends on both.
func entry(op, view uint64, n int) message.Entry {
	rng := rand.New(rand.NewPCG(op, view))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return message.Entry{Op: op, View: view, ClientID: op * 7, RequestNum: op + view, Session: op / 2,
		Kind: message.RequestKind(op % 2), Payload: p}
}

// entries returns entries from..to (inclusive) in view.
func entries(from, to, view uint64, n int) []message.Entry {
	var es []message.Entry
	for op := from; op <= to; op++ {
		es = append(es, entry(op, view, n))
	}
	return es
}

// sameEntries fails t unless got and want hold the same entries.
func sameEntries(t testing.TB, got, want []message.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries (%s), want %d (%s)", len(got), opRange(got), len(want), opRange(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Op != w.Op || g.View != w.View || g.ClientID != w.ClientID ||
			g.RequestNum != w.RequestNum || g.Session != w.Session || g.Kind != w.Kind || !bytes.Equal(g.Payload, w.Payload) {
			t.Fatalf("entry %d: got op %d view %d, want op %d view %d (or other fields differ)",
				i, g.Op, g.View, w.Op, w.View)
		}
	}
}

func opRange(es []message.Entry) string {
	if len(es) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d..%d", es[0].Op, es[len(es)-1].Op)
}

// mustOpen opens the WAL in dir and closes it when the test ends.
func mustOpen(t testing.TB, dir string, segSize int64) (*WAL, Replay) {
	t.Helper()
	w, rep, err := Open(Options{Dir: dir, SegmentSize: segSize})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w, rep
}

// mustWrite writes and syncs b.
func mustWrite(t testing.TB, w *WAL, b Batch) {
	t.Helper()
	if err := w.WriteSync(b); err != nil {
		t.Fatalf("WriteSync from %d (%s): %v", b.From, opRange(b.Entries), err)
	}
}

// put returns a batch that writes es (from es[0].Op) with hard state hs
// (nil: unchanged).
func put(es []message.Entry, hs *core.HardState) Batch {
	return Batch{From: es[0].Op, Entries: es, Hard: hs}
}

// hardN returns a distinct hard state for view n.
func hardN(n uint64) *core.HardState {
	return &core.HardState{View: n, LastNormalView: n, PromisedView: n + 1, Commit: 3 * n}
}

// sameHard fails t unless the replay's hard state is want (nil: none).
func sameHard(t testing.TB, rep Replay, want *core.HardState) {
	t.Helper()
	switch {
	case want == nil && (rep.HasHard || !equalHard(rep.Hard, core.HardState{})):
		t.Fatalf("hard state %+v (has %v), want none", rep.Hard, rep.HasHard)
	case want != nil && (!rep.HasHard || !equalHard(rep.Hard, *want)):
		t.Fatalf("hard state %+v (has %v), want %+v", rep.Hard, rep.HasHard, *want)
	}
}

// segNames returns the segment file names in dir's log, sorted.
func segNames(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	slices.Sort(names)
	return names
}

// copyDir copies the regular files of src (one level of subdirectories)
// into a new temporary directory and returns it.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// recordOffsets returns the offsets of the records of a segment file (from
// headerSize on in format 2) and its size.
func recordOffsets(t testing.TB, path string) ([]int, int) {
	offs, _, size := recordTypes(t, path)
	return offs, size
}

// recordTypes returns the offsets and types of the records of a segment
// file and its size.
func recordTypes(t testing.TB, path string) ([]int, []byte, int) {
	t.Helper()
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int
	var types []byte
	off := 0
	if isSegHeader(buf) {
		off = headerSize
	}
	for off < len(buf) {
		rec, n, err := decodeRecord(buf[off:])
		if err != nil {
			t.Fatalf("%s: record at %d: %v", path, off, err)
		}
		offs = append(offs, off)
		types = append(types, rec.typ)
		off += n
	}
	return offs, types, len(buf)
}

// noFsync makes the WAL skip its fsync system calls until the test ends
// (the hooks still run). For tests that simulate crashes by editing the
// files: what they check never depends on what an fsync made durable, and
// a busy disk would make them slow.
func noFsync(t testing.TB) {
	t.Helper()
	syncFile = func(*os.File) error { return nil }
	syncData = syncFile
	t.Cleanup(func() { syncFile, syncData = (*os.File).Sync, datasync })
}

// equalHard reports whether two hard states are equal.
func equalHard(a, b core.HardState) bool { return reflect.DeepEqual(a, b) }
