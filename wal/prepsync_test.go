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
	most *int64
}

func (u unsyncedFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := u.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &unsyncedFile{File: f, most: u.most}, nil
}

type unsyncedFile struct {
	File
	pending int64
	most    *int64
}

func (f *unsyncedFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.pending += int64(n)
	*f.most = max(*f.most, f.pending)
	return n, err
}

func (f *unsyncedFile) Sync() error {
	f.pending = 0
	return f.File.Sync()
}

// TestPreparedSegmentSyncedPerMiB: a segment being prepared reaches the
// disk a MiB at a time, never in one burst that the logs' fsyncs would
// queue behind (writeZeros).
func TestPreparedSegmentSyncedPerMiB(t *testing.T) {
	noFsync(t)
	var most int64
	path := filepath.Join(t.TempDir(), prepFile(2))
	const size = 5<<20 + 100
	if err := fillZeros(unsyncedFS{FS: OS, most: &most}, path, size, nil); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != size {
		t.Fatalf("prepared file: %v, %v; want %d bytes", fi, err, size)
	}
	if most > int64(len(zeros)) {
		t.Fatalf("%d bytes written between two fsyncs of a prepared segment, want at most %d", most, len(zeros))
	}
}
