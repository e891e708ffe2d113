package wal

import (
	"os"
	"syscall"
)

// datasync makes f's data durable with fdatasync(2): it skips the
// metadata a later read does not need (the modification time, which
// every write changes), but not the file's size.
func datasync(f *os.File) error {
	return fdatasyncWith(f, func(fd uintptr) error { return syscall.Fdatasync(int(fd)) })
}

// fdatasyncWith runs call, an fdatasync(2) of f's descriptor, until it is
// not interrupted, and returns its error as an *os.PathError.
func fdatasyncWith(f *os.File, call func(fd uintptr) error) error {
	return onDescriptor(f, "fdatasync", call)
}

// onDescriptor runs call, the system call op on f's descriptor, until it
// is not interrupted, and returns its error as an *os.PathError.
func onDescriptor(f *os.File, op string, call func(fd uintptr) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = call(fd)
			if serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: serr}
	}
	return nil
}
