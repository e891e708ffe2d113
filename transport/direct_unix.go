//go:build unix

package transport

import (
	"syscall"

	"github.com/vr-go/vr/internal/sockio"
)

// directWrites reports whether senders may write on a connection
// themselves (see direct).
const directWrites = true

// writeNonblocking makes one write of buf on raw's socket, which Go keeps
// non-blocking, without waiting for it to become writable: n bytes were
// taken (0 with EAGAIN when its send buffer is full). tried is false when
// the write was not attempted (a write deadline passed).
func writeNonblocking(raw syscall.RawConn, buf []byte) (n int, tried bool, err error) {
	return sockio.WriteNonblocking(raw, buf)
}
