package wal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is the file system the log, the superblock, the lock and atomic files
// live on: the operating system's (OS) in production, a simulated one under
// the simulator, which faults the reads and writes the real code makes.
// Names are paths as filepath builds them.
type FS interface {
	// OpenFile opens a file as os.OpenFile does, with flags among
	// O_RDWR, O_WRONLY, O_CREATE, O_EXCL and O_TRUNC.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// ReadFile returns the whole contents of a file.
	ReadFile(name string) ([]byte, error)
	// ReadDir lists a directory, sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// MkdirAll creates a directory and its parents.
	MkdirAll(name string, perm fs.FileMode) error
	// Rename renames a file or a directory, replacing a file at newpath.
	Rename(oldpath, newpath string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// SyncDir makes the entries created, renamed and removed in a
	// directory durable.
	SyncDir(name string) error
	// Lock takes an exclusive lock on the file name (created if needed)
	// for this process, without waiting; it fails with a *LockedError
	// while another holder has it. Closing the result releases it.
	Lock(name string) (io.Closer, error)
}

// File is an open file of an FS.
type File interface {
	io.Writer
	io.WriterAt
	// Sync makes the file's data and size durable.
	Sync() error
	Truncate(size int64) error
	Close() error
	Name() string
}

// OS is the operating system's file system, the default of Options.FS.
var OS FS = osFS{}

// osFS implements FS with package os.
type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Open opens a file for streaming reads (large checkpoints are never read
// whole).
func (osFS) Open(name string) (io.ReadCloser, error)      { return os.Open(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }

// SyncDir fsyncs the directory.
func (osFS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = syncFile(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Lock takes a flock on name (where the platform has one) and records this
// process in the file for whoever is refused.
func (osFS) Lock(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, &LockedError{Dir: filepath.Dir(name), Holder: holder}
		}
		return nil, fmt.Errorf("wal: lock %s: %w", name, err)
	}
	writeHolder(f)
	return osLock{f}, nil
}

// osFile is an *os.File whose Sync goes through syncData (see there).
type osFile struct{ *os.File }

func (f osFile) Sync() error { return syncData(f.File) }

// osLock releases a flock.
type osLock struct{ f *os.File }

func (l osLock) Close() error {
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncFile fsyncs f (a directory) and syncData makes a file's data
// durable (fdatasync where there is one: the log's files are written in
// place, and what a sync must carry besides data is at most their size,
// which fdatasync carries too; docs/benchmarks.md, "Prepared segments").
// Tests that simulate crashes by editing files, and so never depend on what
// an fsync makes durable, may replace them with no-ops to stay fast on a
// busy disk.
var (
	syncFile = (*os.File).Sync
	syncData = datasync
)
