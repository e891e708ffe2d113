package wal

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// LockFile is the name of the lock file in a data directory.
const LockFile = "LOCK"

// DirLock is an exclusive lock on a data directory, held by one process at
// a time (flock on Dir/LOCK where the platform has it). It is released by
// Release or when the process exits, however it exits.
type DirLock struct {
	l io.Closer
}

// LockDir creates dir on fsys if needed and locks it for this process. It
// fails with a *LockedError (matching ErrLocked) while another process, or
// another DirLock of this process, holds the lock. On platforms without
// flock the lock only records the process id; Enforced reports false.
func LockDir(fsys FS, dir string) (*DirLock, error) {
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := fsys.Lock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	return &DirLock{l: l}, nil
}

// Enforced reports whether the platform enforces the lock.
func (l *DirLock) Enforced() bool { return lockingEnforced }

// Release unlocks the directory. Calling it again, or on nil, does nothing.
func (l *DirLock) Release() error {
	if l == nil || l.l == nil {
		return nil
	}
	err := l.l.Close()
	l.l = nil
	return err
}

// writeHolder records this process in the lock file, for the message of
// whoever finds the directory locked. Failing to is harmless.
func writeHolder(f *os.File) {
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte("pid "+strconv.Itoa(os.Getpid())+"\n"), 0)
	}
}

// readHolder returns what the lock file says about its holder.
func readHolder(f *os.File) string {
	b, _ := io.ReadAll(io.LimitReader(f, 64))
	if s := string(bytes.TrimSpace(b)); s != "" {
		return s
	}
	return "unknown process"
}
