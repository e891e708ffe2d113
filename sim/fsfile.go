package sim

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"syscall"

	"github.com/vr-go/vr/wal"
)

// fsFaults are the faults a disk injects into the operations of the real
// code, drawn by the run (see diskfaults.go). Nil functions inject none.
type fsFaults struct {
	// ioError returns the error a write or a sync fails with, or nil.
	ioError func() error
	// readError returns the error a read of a size-byte file fails with,
	// or nil, and how many bytes were read before it.
	readError func(size int) (int, error)
	// misdirect returns how far from its offset a write lands (0: where
	// it should).
	misdirect func() int64
}

func newSimFS() *simFS { return &simFS{durable: newImage(), live: newImage()} }

var _ wal.FS = (*simFS)(nil)

func (f *simFS) ioError() error {
	if f.faults.ioError == nil {
		return nil
	}
	return f.faults.ioError()
}

// OpenFile implements wal.FS.
func (f *simFS) OpenFile(name string, flag int, _ fs.FileMode) (wal.File, error) {
	_, exists := f.live.files[name]
	switch {
	case !f.live.dirs[path.Dir(name)]:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case exists && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	case !exists && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case !exists:
		f.record(fsOp{kind: opCreate, name: name})
	case flag&os.O_TRUNC != 0:
		f.record(fsOp{kind: opTruncate, name: name})
	}
	return &simFile{fs: f, name: name}, nil
}

// ReadFile implements wal.FS.
func (f *simFS) ReadFile(name string) ([]byte, error) {
	if _, ok := f.live.files[name]; !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	// Shared, not copied: the disk copies the file before it changes it.
	// (The storage code only reads what it read.)
	b, _ := f.live.bytes(name)
	if f.faults.readError != nil {
		if n, err := f.faults.readError(len(b)); err != nil {
			// As os.ReadFile: what was read before the error comes with it.
			return slices.Clone(b[:n]), &fs.PathError{Op: "read", Path: name, Err: err}
		}
	}
	return b, nil
}

// ReadDir implements wal.FS.
func (f *simFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !f.live.dirs[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	// Sorted by name: the order of a map's keys is random.
	var des []fs.DirEntry
	for k := range f.live.files {
		if path.Dir(k) == name {
			des = append(des, dirEntry{name: path.Base(k)})
		}
	}
	for k := range f.live.dirs {
		if k != name && path.Dir(k) == name {
			des = append(des, dirEntry{name: path.Base(k), dir: true})
		}
	}
	slices.SortFunc(des, func(a, b fs.DirEntry) int {
		if c := cmpString(a.Name(), b.Name()); c != 0 {
			return c
		}
		return cmpBool(a.IsDir(), b.IsDir()) // a file, then a directory of one name
	})
	return des, nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MkdirAll implements wal.FS.
func (f *simFS) MkdirAll(name string, _ fs.FileMode) error {
	if !f.live.dirs[name] {
		f.record(fsOp{kind: opMkdir, name: name})
	}
	return nil
}

// Rename implements wal.FS.
func (f *simFS) Rename(from, to string) error {
	_, isFile := f.live.files[from]
	if !isFile && !f.live.dirs[from] {
		return &fs.PathError{Op: "rename", Path: from, Err: fs.ErrNotExist}
	}
	f.record(fsOp{kind: opRename, name: from, to: to})
	return nil
}

// Remove implements wal.FS.
func (f *simFS) Remove(name string) error {
	_, isFile := f.live.files[name]
	if !isFile && !f.live.dirs[name] {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	f.record(fsOp{kind: opRemove, name: name})
	return nil
}

// SyncDir implements wal.FS: a barrier.
func (f *simFS) SyncDir(string) error { return f.sync() }

// sync records a barrier, or fails.
func (f *simFS) sync() error {
	if err := f.ioError(); err != nil {
		return err
	}
	f.barrier()
	return nil
}

// Lock implements wal.FS: one process runs at a time on a simulated disk.
func (f *simFS) Lock(string) (io.Closer, error) { return nopCloser{}, nil }

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// simFile is an open file of a simFS. Write appends at its own offset,
// as a file opened without O_APPEND does from offset 0.
type simFile struct {
	fs     *simFS
	name   string
	off    int64
	closed bool
}

var errClosedFile = errors.New("sim: file already closed")

func (h *simFile) Name() string { return h.name }

func (h *simFile) Write(p []byte) (int, error) {
	n, err := h.WriteAt(p, h.off)
	h.off += int64(n)
	return n, err
}

// WriteAt writes p at off, or where a misdirected write sends it.
func (h *simFile) WriteAt(p []byte, off int64) (int, error) {
	if h.closed {
		return 0, errClosedFile
	}
	if err := h.fs.ioError(); err != nil {
		return 0, &fs.PathError{Op: "write", Path: h.name, Err: err}
	}
	if h.fs.faults.misdirect != nil {
		off = max(0, off+h.fs.faults.misdirect())
	}
	h.fs.recordWrite(h.name, off, p)
	return len(p), nil
}

func (h *simFile) Sync() error {
	if h.closed {
		return errClosedFile
	}
	return h.fs.sync()
}

func (h *simFile) Truncate(size int64) error {
	if h.closed {
		return errClosedFile
	}
	h.fs.record(fsOp{kind: opTruncate, name: h.name, off: size})
	return nil
}

func (h *simFile) Close() error {
	h.closed = true
	return nil
}

// Errors a disk injects.
var (
	errEIO    = syscall.EIO
	errENOSPC = syscall.ENOSPC
)
