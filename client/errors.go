package client

import (
	"errors"

	"github.com/vr-go/vr/kv"
)

// Errors returned by the client. Test them with errors.Is. Input that the
// store would reject fails before it is sent, with the kv package's
// sentinels (kv.ErrKeyTooLarge, kv.ErrValueTooLarge, kv.ErrEmptyKey, ...).
var (
	// ErrNotFound: Get found no such key.
	ErrNotFound = errors.New("client: key not found")
	// ErrVersionMismatch: a CAS found another version; the *CASError
	// carries it.
	ErrVersionMismatch = errors.New("client: version mismatch")
	// ErrSessionEvicted: the cluster evicted this client's session while
	// the request was outstanding. Whether the request executed is
	// unknown. The next call opens a new session.
	ErrSessionEvicted = errors.New("client: session evicted; outcome unknown")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("client: closed")
	// ErrBadConfig: Dial was given an unusable configuration.
	ErrBadConfig = errors.New("client: bad config")
	// ErrRejected: the cluster rejected the request as malformed.
	ErrRejected = errors.New("client: request rejected by the cluster")
	// ErrBadReply: a reply did not decode.
	ErrBadReply = errors.New("client: malformed reply")
)

// Re-exported input errors, so callers need not import kv.
var (
	ErrEmptyKey      = kv.ErrEmptyKey
	ErrKeyTooLarge   = kv.ErrKeyTooLarge
	ErrValueTooLarge = kv.ErrValueTooLarge
)

// CASError reports a failed compare-and-set and the key's current version
// (0: the key does not exist). It matches ErrVersionMismatch.
type CASError struct{ Current uint64 }

func (e *CASError) Error() string { return "client: version mismatch" }

// Is makes errors.Is(err, ErrVersionMismatch) true.
func (e *CASError) Is(target error) bool { return target == ErrVersionMismatch }
