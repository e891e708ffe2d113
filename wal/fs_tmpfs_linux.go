package wal

import (
	"os"
	"syscall"
	"unsafe"
)

// memWrite writes all of p at f's offset with raw write(2) calls.
func memWrite(f *os.File, p []byte) (int, error) { return memWriteAt(f, p, -1) }

// memWriteAt writes all of p at off with raw pwrite(2) calls (write(2) at
// the file's offset when off is negative), in as many calls as the kernel
// needs, retrying EINTR. An error is an *os.PathError, as os.File's.
func memWriteAt(f *os.File, p []byte, off int64) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: err}
	}
	done := 0
	var errno syscall.Errno
	cerr := rc.Control(func(fd uintptr) {
		for done < len(p) && errno == 0 {
			var n uintptr
			b := p[done:]
			if off < 0 {
				n, _, errno = syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			} else {
				n, _, errno = syscall.RawSyscall6(syscall.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(off+int64(done)), 0, 0)
			}
			switch {
			case errno == syscall.EINTR:
				errno = 0
			case errno == 0 && n == 0:
				errno = syscall.EIO // a write that takes nothing would loop forever
			case errno == 0:
				done += int(n)
			}
		}
	})
	if cerr != nil { // the file is closed
		return done, &os.PathError{Op: "write", Path: f.Name(), Err: os.ErrClosed}
	}
	if errno != 0 {
		return done, &os.PathError{Op: "write", Path: f.Name(), Err: errno}
	}
	return done, nil
}
