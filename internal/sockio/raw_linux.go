package sockio

import (
	"syscall"
	"unsafe"
)

// rawCalls reports whether Wrap wraps: on Linux, reads and writes are raw
// system calls.
const rawCalls = true

// sysWrite makes one write(2) of buf on the non-blocking socket fd.
func sysWrite(fd int, buf []byte) (int, error) { return rawIO(syscall.SYS_WRITE, fd, buf) }

// sysRead makes one read(2) into buf from the non-blocking socket fd.
func sysRead(fd int, buf []byte) (int, error) { return rawIO(syscall.SYS_READ, fd, buf) }

// rawIO makes one raw read(2) or write(2) (trap) of buf on fd.
func rawIO(trap uintptr, fd int, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	n, _, errno := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
