//go:build !unix

package transport

import "syscall"

// directWrites reports whether senders may write on a connection
// themselves (see direct): not on this platform.
const directWrites = false

// writeNonblocking is never called where directWrites is false.
func writeNonblocking(syscall.RawConn, []byte) (int, bool, error) {
	panic("transport: no direct writes on this platform")
}
