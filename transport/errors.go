package transport

import (
	"errors"
	"fmt"
)

// Sentinel errors; errors returned by this package wrap them.
var (
	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("transport: closed")
	// ErrStarted is returned by a second call to Start.
	ErrStarted = errors.New("transport: already started")
	// ErrProtocol is wrapped by the reason an inbound connection was
	// dropped for a frame that decoded but may not be accepted (wrong
	// cluster, sender or message type). Such errors are only logged.
	ErrProtocol = errors.New("transport: protocol violation")
)

// protocolErrorf returns an error wrapping ErrProtocol.
func protocolErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...)
}
