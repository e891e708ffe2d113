package wal

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vr-go/vr/core"
)

// countingFS counts the writes of records to segment files (at offsets
// past the header) and remembers where the last one ended and where it
// had ended when the last fsync started.
type countingFS struct {
	FS
	mu                  sync.Mutex
	writes              int
	writtenTo, syncedTo int64
}

func (c *countingFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := c.FS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, ".seg") {
		return f, err
	}
	return &countingFile{File: f, fs: c}, nil
}

type countingFile struct {
	File
	fs *countingFS
}

func (f *countingFile) WriteAt(p []byte, off int64) (int, error) {
	if off >= headerSize {
		f.fs.mu.Lock()
		f.fs.writes++
		f.fs.writtenTo = max(f.fs.writtenTo, off+int64(len(p)))
		f.fs.mu.Unlock()
	}
	return f.File.WriteAt(p, off)
}

func (f *countingFile) Sync() error {
	f.fs.mu.Lock()
	f.fs.syncedTo = f.fs.writtenTo
	f.fs.mu.Unlock()
	return f.File.Sync()
}

// TestWriteSyncWritesOnce: WriteSync, with no sync round running, writes
// its group and the round's sync record in one call, and returns only
// once an fsync that started after that write completed. The log replays
// every group.
func TestWriteSyncWritesOnce(t *testing.T) {
	noFsync(t)
	dir := t.TempDir()
	fsys := &countingFS{FS: OS}
	w, _, err := Open(Options{Dir: dir, FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	const groups = 50
	for op := uint64(1); op <= groups; op++ {
		hs := core.HardState{View: 1, LastNormalView: 1, Commit: op - 1}
		before := fsys.writes
		mustWrite(t, w, put(entries(op, op, 1, 100), &hs))
		if got := fsys.writes - before; got != 1 {
			t.Fatalf("group %d took %d writes; want 1 (the group with its sync record)", op, got)
		}
		if fsys.syncedTo != fsys.writtenTo {
			t.Fatalf("group %d: WriteSync returned with bytes %d..%d written after the last fsync started",
				op, fsys.syncedTo, fsys.writtenTo)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, rep := mustOpen(t, dir, 0)
	_ = w
	sameEntries(t, rep.Entries, entries(1, groups, 1, 100))
	sameHard(t, rep, &core.HardState{View: 1, LastNormalView: 1, Commit: groups - 1})
}

// TestWriteSyncConcurrent: WriteSyncs from many goroutines (some arrive
// while a round runs and write at once, some lead a round and hold their
// group for its sync record) all return durable, and the log replays the
// hard state of each goroutine's last write.
func TestWriteSyncConcurrent(t *testing.T) {
	noFsync(t)
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, smallSegs)
	fw := watch(w)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				hs := core.HardState{View: uint64(g*each + i + 1)}
				if err := w.WriteSync(Batch{Hard: &hs}); err != nil {
					t.Error(err)
					return
				}
				// Every group this goroutine wrote so far reached the
				// file before an fsync that completed.
				if d := fw.durable.Load(); d < uint64(i+1) {
					t.Errorf("writer %d: write %d returned with %d groups durable", g, i+1, d)
					return
				}
			}
		})
	}
	wg.Wait()
	if w.synced != w.written || w.written != writers*each {
		t.Fatalf("synced %d, written %d; want %d", w.synced, w.written, writers*each)
	}
}
