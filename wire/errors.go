package wire

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them with
// context; test with errors.Is.
var (
	// ErrBadMagic means a frame does not start with Magic.
	ErrBadMagic = errors.New("wire: bad magic")
	// ErrBadVersion means a frame has a version other than Version.
	ErrBadVersion = errors.New("wire: unsupported version")
	// ErrUnknownType means a message type is not one of package message's.
	ErrUnknownType = errors.New("wire: unknown message type")
	// ErrTooLarge means a body, entry count or payload exceeds its limit.
	ErrTooLarge = errors.New("wire: too large")
	// ErrChecksum means a frame's checksum does not match its contents.
	ErrChecksum = errors.New("wire: checksum mismatch")
	// ErrMalformed means an encoding is truncated, has trailing bytes, a
	// non-zero reserved byte, an invalid enum value or violates an
	// invariant of its message (see the package documentation).
	ErrMalformed = errors.New("wire: malformed")
)
