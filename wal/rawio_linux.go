package wal

import (
	"os"
	"syscall"
	"time"
)

// rawFile is an OS file written and synced with raw system calls while
// its guard allows (Options.RawIO).
type rawFile struct {
	osFile
	guard *rawGuard
}

// wrapRaw makes f a rawFile if it is an OS file (the simulator's files
// and Tmpfs's are left alone).
func wrapRaw(f File, g *rawGuard) File {
	if o, ok := f.(osFile); ok {
		return rawFile{osFile: o, guard: g}
	}
	return f
}

// WriteAt writes all of p at off: raw pwrite(2) calls (memWriteAt), or
// os.File's while the guard says so.
func (f rawFile) WriteAt(p []byte, off int64) (int, error) {
	if !f.guard.raw() || off < 0 || len(p) == 0 {
		return f.File.WriteAt(p, off) // and its error for a negative offset
	}
	return memWriteAt(f.File, p, off)
}

// Sync makes the file's data durable: a raw fdatasync(2), timed for the
// guard, or the hooked one while the guard says so.
func (f rawFile) Sync() error {
	if !f.guard.raw() {
		err := f.osFile.Sync()
		f.guard.synced(false, 0)
		return err
	}
	start := time.Now()
	err := rawDatasync(f.File)
	f.guard.synced(true, time.Since(start))
	return err
}

// rawDatasync is datasync with a raw system call: the thread keeps its P
// while the disk works.
func rawDatasync(f *os.File) error {
	return fdatasyncWith(f, func(fd uintptr) error {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_FDATASYNC, fd, 0, 0); errno != 0 {
			return errno
		}
		return nil
	})
}
