//go:build unix && !linux

package sockio

import "syscall"

// rawCalls is false: elsewhere Wrap leaves connections alone, and
// WriteNonblocking makes a hooked write.
const rawCalls = false

// sysWrite makes one write(2) of buf on the non-blocking socket fd.
func sysWrite(fd int, buf []byte) (int, error) {
	n, err := syscall.Write(fd, buf)
	return max(n, 0), err
}

// sysRead makes one read(2) into buf from the non-blocking socket fd.
func sysRead(fd int, buf []byte) (int, error) {
	n, err := syscall.Read(fd, buf)
	return max(n, 0), err
}
