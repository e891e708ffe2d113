package wal

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// unsyncedFS is the operating system's file system, recording the most
// bytes any of its files had written since their last fsync.
type unsyncedFS struct {
	FS
	most  *int64
	syncs *int64 // counts the fsyncs of its files, if set
}

func (u unsyncedFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := u.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &unsyncedFile{File: f, most: u.most, syncs: u.syncs}, nil
}

type unsyncedFile struct {
	File
	pending int64
	most    *int64
	syncs   *int64
}

func (f *unsyncedFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.pending += int64(n)
	*f.most = max(*f.most, f.pending)
	return n, err
}

func (f *unsyncedFile) Sync() error {
	f.pending = 0
	if f.syncs != nil {
		*f.syncs++
	}
	return f.File.Sync()
}

// TestPreparedSegmentWrittenBackPerPiece: a segment being prepared
// reaches the disk a quarter MiB at a time, never in one burst that the
// logs' fsyncs would queue behind, and is fsynced once, at its end, not
// once per MiB (writeZeros).
func TestPreparedSegmentWrittenBackPerPiece(t *testing.T) {
	noFsync(t)
	var most, syncs int64
	old := writeBackZeros
	writeBackZeros = func(f File, off, n int64) error {
		if u, ok := f.(*unsyncedFile); ok {
			u.pending = 0
		}
		return old(f, off, n)
	}
	t.Cleanup(func() { writeBackZeros = old })
	path := filepath.Join(t.TempDir(), prepFile(2))
	const size = 5<<20 + 100
	if err := fillZeros(unsyncedFS{FS: OS, most: &most, syncs: &syncs}, path, size, nil); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != size {
		t.Fatalf("prepared file: %v, %v; want %d bytes", fi, err, size)
	}
	if most > WriteBackPiece {
		t.Fatalf("%d bytes written before they were written back or synced, want at most %d", most, WriteBackPiece)
	}
	if syncs != 1 {
		t.Fatalf("%d fsyncs of a prepared segment, want 1 (at its end)", syncs)
	}
}
