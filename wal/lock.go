package wal

import (
	"bytes"
	"errors"
	"fmt"
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
	dir string
	f   *os.File
}

// LockDir creates dir if needed and locks it for this process. It fails
// with a *LockedError (matching ErrLocked) while another process, or
// another DirLock of this process, holds the lock. On platforms without
// flock the lock only records the process id; Enforced reports false.
func LockDir(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, &LockedError{Dir: dir, Holder: holder}
		}
		return nil, fmt.Errorf("wal: lock %s: %w", path, err)
	}
	writeHolder(f)
	return &DirLock{dir: dir, f: f}, nil
}

// Enforced reports whether the platform enforces the lock.
func (l *DirLock) Enforced() bool { return lockingEnforced }

// Release unlocks the directory. Calling it again, or on nil, does nothing.
func (l *DirLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
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
