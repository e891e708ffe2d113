package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestTmpfsFileWrites: a tmpfsFile's Write and WriteAt (raw system calls
// on Linux) leave the file as os.File's would, errors included.
func TestTmpfsFileWrites(t *testing.T) {
	dir := t.TempDir()
	want := filepath.Join(dir, "want")
	got := filepath.Join(dir, "got")
	wf, err := OS.OpenFile(want, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	gf, err := Tmpfs.OpenFile(got, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := gf.(tmpfsFile); !ok {
		t.Fatalf("Tmpfs opened a %T", gf)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	steps := []func(f File) (int, error){
		func(f File) (int, error) { return f.Write([]byte("head:")) },
		func(f File) (int, error) { return f.Write(big) },
		func(f File) (int, error) { return f.WriteAt([]byte("HEAD"), 0) },
		func(f File) (int, error) { return f.WriteAt([]byte("beyond the end"), 3<<20) },
		func(f File) (int, error) { return f.Write([]byte(":tail")) }, // at the offset Write left
		func(f File) (int, error) { return f.WriteAt(big[:100], 7) },
		func(f File) (int, error) { return f.WriteAt(nil, 9) },
		func(f File) (int, error) { return f.Write(nil) },
		func(f File) (int, error) { return f.WriteAt([]byte("x"), -1) },
	}
	for i, step := range steps {
		wn, werr := step(wf)
		gn, gerr := step(gf)
		if wn != gn || (werr == nil) != (gerr == nil) {
			t.Fatalf("step %d: os.File wrote %d (%v), tmpfsFile %d (%v)", i, wn, werr, gn, gerr)
		}
	}
	for _, f := range []File{wf, gf} {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(want)
	b, _ := os.ReadFile(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("the files differ: os.File's %d bytes, tmpfsFile's %d", len(a), len(b))
	}
	for _, f := range []File{wf, gf} {
		var pe *os.PathError
		if _, err := f.Write([]byte("closed")); !errors.As(err, &pe) || !errors.Is(err, os.ErrClosed) {
			t.Fatalf("write after Close (%T): %v; want an *os.PathError of os.ErrClosed", f, err)
		}
		if _, err := f.WriteAt([]byte("closed"), 1); !errors.As(err, &pe) || !errors.Is(err, os.ErrClosed) {
			t.Fatalf("WriteAt after Close (%T): %v; want an *os.PathError of os.ErrClosed", f, err)
		}
	}
}

// TestLogOnTmpfsFS: a log on the Tmpfs file system replays what it wrote,
// across segments and a reopen.
func TestLogOnTmpfsFS(t *testing.T) {
	dir := t.TempDir()
	open := func() (*WAL, Replay) {
		w, rep, err := Open(Options{Dir: dir, SegmentSize: smallSegs, FS: Tmpfs})
		if err != nil {
			t.Fatal(err)
		}
		return w, rep
	}
	w, _ := open()
	mustWrite(t, w, put(entries(1, 1, 1, payload), nil))
	for op := uint64(2); op <= 20; op += 2 {
		mustWrite(t, w, put(entries(op, op+1, 1, 8), nil))
	}
	mustWrite(t, w, Batch{Hard: hardN(3)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, rep := open()
	defer w.Close()
	sameEntries(t, rep.Entries, append(entries(1, 1, 1, payload), entries(2, 21, 1, 8)...))
	sameHard(t, rep, hardN(3))
}
