package wal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRawFileWrites: a rawFile's WriteAt (raw pwrite calls) and Sync (a
// raw fdatasync) leave the file as os.File's would, errors included, and
// so do its hooked calls while the guard asks for them.
func TestRawFileWrites(t *testing.T) {
	for _, hooked := range []bool{false, true} {
		dir := t.TempDir()
		wf, err := OS.OpenFile(filepath.Join(dir, "want"), os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f, err := OS.OpenFile(filepath.Join(dir, "got"), os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		var g rawGuard
		if hooked {
			g.synced(true, slowRawSync)
		}
		gf := wrapRaw(f, &g)
		if _, ok := gf.(rawFile); !ok {
			t.Fatalf("wrapRaw made a %T of an OS file", gf)
		}
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
		steps := []func(f File) (int, error){
			func(f File) (int, error) { return f.WriteAt(big, 5) },
			func(f File) (int, error) { return f.WriteAt([]byte("HEAD"), 0) },
			func(f File) (int, error) { return f.WriteAt([]byte("beyond the end"), 3<<20) },
			func(f File) (int, error) { return f.WriteAt(big[:100], 7) },
			func(f File) (int, error) { return f.WriteAt(nil, 9) },
			func(f File) (int, error) { return f.WriteAt([]byte("x"), -1) },
		}
		for i, step := range steps {
			wn, werr := step(wf)
			gn, gerr := step(gf)
			if wn != gn || (werr == nil) != (gerr == nil) {
				t.Fatalf("hooked %v, step %d: os.File wrote %d (%v), rawFile %d (%v)", hooked, i, wn, werr, gn, gerr)
			}
		}
		for _, f := range []File{wf, gf} {
			if err := f.Sync(); err != nil {
				t.Fatalf("hooked %v: %T.Sync: %v", hooked, f, err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		a, _ := os.ReadFile(filepath.Join(dir, "want"))
		b, _ := os.ReadFile(filepath.Join(dir, "got"))
		if !bytes.Equal(a, b) {
			t.Fatalf("hooked %v: the files differ: os.File's %d bytes, rawFile's %d", hooked, len(a), len(b))
		}
		if err := gf.Sync(); err == nil {
			t.Fatalf("hooked %v: Sync of a closed rawFile succeeded", hooked)
		}
		if _, err := gf.WriteAt([]byte("closed"), 1); err == nil {
			t.Fatalf("hooked %v: WriteAt of a closed rawFile succeeded", hooked)
		}
	}
}

// TestRawGuardAfterSlowSync: a raw sync of slowRawSync or more makes the
// next hookedAfterSlow syncs hooked; then they are raw again. Faster raw
// syncs change nothing.
func TestRawGuardAfterSlowSync(t *testing.T) {
	var g rawGuard
	g.synced(true, slowRawSync-time.Microsecond)
	if !g.raw() {
		t.Fatal("a fast raw sync turned raw calls off")
	}
	g.synced(true, slowRawSync)
	for i := range hookedAfterSlow {
		if g.raw() {
			t.Fatalf("raw again after %d hooked syncs; want %d", i, hookedAfterSlow)
		}
		g.synced(false, 0)
	}
	if !g.raw() {
		t.Fatalf("still hooked after %d hooked syncs", hookedAfterSlow)
	}
}

// TestLogWithRawIO: with Options.RawIO the segment being written is a
// rawFile, in every segment, and the log replays what it wrote, also
// while the guard has turned raw calls off.
func TestLogWithRawIO(t *testing.T) {
	dir := t.TempDir()
	open := func() (*WAL, Replay) {
		w, rep, err := Open(Options{Dir: dir, SegmentSize: smallSegs, RawIO: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := w.cur.(rawFile); !ok {
			t.Fatalf("RawIO: the segment being written is a %T", w.cur)
		}
		return w, rep
	}
	w, _ := open()
	mustWrite(t, w, put(entries(1, 1, 1, payload), nil))
	for op := uint64(2); op <= 40; op += 2 {
		if op == 20 {
			w.guard.synced(true, slowRawSync) // the rest hooked
		}
		mustWrite(t, w, put(entries(op, op+1, 1, 8), nil))
		if _, ok := w.cur.(rawFile); !ok {
			t.Fatalf("RawIO: segment %d is a %T", w.tail().seq, w.cur)
		}
	}
	if len(w.segs) < 2 {
		t.Fatalf("the test wrote %d segment(s); want several", len(w.segs))
	}
	mustWrite(t, w, Batch{Hard: hardN(3)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, rep := open()
	defer w.Close()
	sameEntries(t, rep.Entries, append(entries(1, 1, 1, payload), entries(2, 41, 1, 8)...))
	sameHard(t, rep, hardN(3))

	plain, _ := mustOpen(t, t.TempDir(), 0)
	if _, ok := plain.cur.(rawFile); ok {
		t.Fatal("without RawIO the segment being written is a rawFile")
	}
}
