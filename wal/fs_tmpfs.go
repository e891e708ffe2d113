package wal

import (
	"io/fs"
	"os"
)

// Tmpfs is the operating system's file system for a directory on a
// memory-backed file system (Linux's tmpfs; the node picks it after a
// statfs). There an fsync makes nothing more durable: tmpfs's fsync is a
// no-op, and what a write put in a file survives any crash of the process
// and no crash of the machine, synced or not. So its files' Sync and
// SyncDir return at once, and on Linux its writes are raw system calls
// (a copy into memory, which never waits for a disk), which keep the Go
// scheduler's hooks off a replica's loop: they wake the runtime's sysmon
// thread and hand the loop's P to another thread (internal/sockio says
// how much that costs; docs/benchmarks.md, fifteenth session).
var Tmpfs FS = tmpfsFS{}

// tmpfsFS is osFS with tmpfsFiles and no directory syncs.
type tmpfsFS struct{ osFS }

func (tmpfsFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return tmpfsFile{f}, nil
}

// SyncDir does nothing: a directory on tmpfs is as durable as it gets.
func (tmpfsFS) SyncDir(string) error { return nil }

// tmpfsFile is a file on tmpfs: no syncs, raw writes (memWrite,
// memWriteAt).
type tmpfsFile struct{ *os.File }

// Sync does nothing (see Tmpfs).
func (tmpfsFile) Sync() error { return nil }

func (f tmpfsFile) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return memWrite(f.File, p)
}

func (f tmpfsFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || len(p) == 0 {
		return f.File.WriteAt(p, off) // its error for a negative offset
	}
	return memWriteAt(f.File, p, off)
}
