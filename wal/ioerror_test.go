package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vr-go/vr/internal/plant"
)

// faultyFS is the operating system's file system with injected errors:
// writes and fsyncs of segment files fail with writeErr and syncErr while
// they are set, and a read of a segment file returns its first half with
// readErr (as os.ReadFile returns what it read before an error).
type faultyFS struct {
	FS
	writeErr, syncErr, readErr error
	syncs                      int // fsyncs of segment files attempted
}

func (f *faultyFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	file, err := f.FS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, ".seg") {
		return file, err
	}
	return &faultyFile{File: file, fs: f}, nil
}

func (f *faultyFS) ReadFile(name string) ([]byte, error) {
	b, err := f.FS.ReadFile(name)
	if err == nil && f.readErr != nil && strings.HasSuffix(name, ".seg") {
		return b[:len(b)/2], f.readErr
	}
	return b, err
}

type faultyFile struct {
	File
	fs *faultyFS
}

func (h *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	if h.fs.writeErr != nil {
		return 0, h.fs.writeErr
	}
	return h.File.WriteAt(p, off)
}

func (h *faultyFile) Sync() error {
	h.fs.syncs++
	if h.fs.syncErr != nil {
		return h.fs.syncErr
	}
	return h.File.Sync()
}

// openFaulty opens a log in dir on fsys with the planted bugs b.
func openFaulty(t *testing.T, dir string, fsys *faultyFS, b plant.WAL) (*WAL, Replay, error) {
	t.Helper()
	o := Options{Dir: dir, SegmentSize: 1 << 20, FS: fsys}
	o.Plant(b)
	w, rep, err := Open(o)
	if err == nil {
		t.Cleanup(func() { _ = w.Close() })
	}
	return w, rep, err
}

// ackAfterError writes a group whose write (or fsync) fails, and returns
// why the log misbehaved: it acknowledged the group, or it went on after
// the error (a second fsync after a failed one may report success for
// data the kernel dropped).
func ackAfterError(t *testing.T, failSync bool, b plant.WAL) string {
	fsys := &faultyFS{FS: OS}
	w, _, err := openFaulty(t, t.TempDir(), fsys, b)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, put(entries(1, 3, 1, 10), hardN(1)))
	if failSync {
		fsys.syncErr = syscall.EIO
	} else {
		fsys.writeErr = syscall.ENOSPC
	}
	if err := w.WriteSync(put(entries(4, 4, 1, 10), hardN(1))); err == nil {
		return "a group whose write or fsync failed was acknowledged"
	} else if !errors.Is(err, ErrFailed) {
		t.Fatalf("WriteSync: %v, want an error matching ErrFailed", err)
	}
	fsys.syncErr, fsys.writeErr = nil, nil
	syncs := fsys.syncs
	if err := w.Sync(); err == nil || fsys.syncs != syncs {
		return "the log went on after an I/O error (Sync succeeded or fsynced again)"
	}
	if err := w.WriteSync(put(entries(5, 5, 1, 10), hardN(1))); err == nil {
		return "the log took a write after an I/O error"
	}
	return ""
}

// TestIOErrorNeverAcknowledged checks that a failed write or fsync is
// never acknowledged and fails the log for good: no retried fsync (after a
// failed one the kernel may have dropped the dirty pages, and a retry
// would report success), no later write. The planted IgnoreIOErrors, the
// simulator's plant of the same name, fails the check.
func TestIOErrorNeverAcknowledged(t *testing.T) {
	for _, failSync := range []bool{false, true} {
		if why := ackAfterError(t, failSync, plant.WAL{}); why != "" {
			t.Errorf("failed fsync %v: %s", failSync, why)
		}
		if why := ackAfterError(t, failSync, plant.WAL{IgnoreIOErrors: true}); why == "" {
			t.Errorf("failed fsync %v: the planted IgnoreIOErrors was not noticed", failSync)
		}
	}
}

// readErrorLoses opens a synced log whose segment read fails after half
// its bytes, and returns why the log misbehaved: it opened (with less than
// was synced) or changed the file, instead of failing with the read's
// error and leaving everything as it was.
func readErrorLoses(t *testing.T, b plant.WAL) string {
	dir := t.TempDir()
	fsys := &faultyFS{FS: OS}
	w, _, err := openFaulty(t, dir, fsys, plant.WAL{})
	if err != nil {
		t.Fatal(err)
	}
	for op := uint64(1); op <= 20; op++ {
		mustWrite(t, w, put(entries(op, op, 1, 100), hardN(1)))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(dir, "log", segNames(t, dir)[0])
	before, _ := os.ReadFile(seg)
	fsys.readErr = syscall.EIO
	_, rep, err := openFaulty(t, dir, fsys, b)
	after, _ := os.ReadFile(seg)
	switch {
	case err == nil:
		return "a log whose read failed opened with ops up to " + opRange(rep.Entries)
	case !errors.Is(err, syscall.EIO) || errors.Is(err, ErrCorrupt):
		t.Fatalf("Open: %v, want the read's EIO and no corruption", err)
	case len(after) != len(before):
		return "the failed open changed the segment"
	}
	fsys.readErr = nil
	_, rep, err = openFaulty(t, dir, fsys, b)
	if err != nil || rep.LastOp != 20 {
		t.Fatalf("Open once the read succeeds: last op %d, %v; want 20", rep.LastOp, err)
	}
	return ""
}

// TestReadErrorRefusesOpen checks that a read error at Open fails it with
// that error, changing nothing (a short read is not a short file), and
// that the log opens whole once the read succeeds. The planted
// ShortReadIsEnd, the simulator's plant of the same name, fails the check.
func TestReadErrorRefusesOpen(t *testing.T) {
	if why := readErrorLoses(t, plant.WAL{}); why != "" {
		t.Error(why)
	}
	if why := readErrorLoses(t, plant.WAL{ShortReadIsEnd: true}); why == "" {
		t.Error("the planted ShortReadIsEnd was not noticed")
	}
}
