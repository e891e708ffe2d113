package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/vr-go/vr/kv"
)

// The two outcome classes. Every error an operation (Get, Put, Delete, CAS,
// Scan, ScanPrefix) returns matches exactly one of them with errors.Is; see
// the package documentation.
var (
	// ErrOutcomeUnknown: the operation may or may not have been applied.
	// Its request reached the network and no answer said what became of
	// it: the call was abandoned (context cancelled or deadline passed,
	// or the client closed) while it was in flight, or the session was
	// evicted while it was outstanding. Read the state back before
	// retrying anything that is not idempotent.
	ErrOutcomeUnknown = errors.New("client: outcome unknown")
	// ErrNotApplied: the operation was definitely not applied. It was
	// never sent (invalid input, context ended or client closed before
	// sending), the cluster refused it without executing it, or it ran
	// and changed nothing (ErrNotFound, ErrVersionMismatch). Retrying is
	// safe.
	ErrNotApplied = errors.New("client: not applied")
)

// Errors returned by the client, each wrapped in its outcome class. Test
// them with errors.Is. Input that the store would reject fails before it
// is sent, with the kv package's sentinels (kv.ErrKeyTooLarge,
// kv.ErrValueTooLarge, kv.ErrEmptyKey, ...) and ErrNotApplied.
var (
	// ErrNotFound: Get found no such key. It matches ErrNotApplied.
	ErrNotFound error = &classified{msg: "client: key not found", class: ErrNotApplied}
	// ErrVersionMismatch: a CAS found another version; the *CASError
	// carries it. It matches ErrNotApplied.
	ErrVersionMismatch error = &classified{msg: "client: version mismatch", class: ErrNotApplied}
	// ErrSessionEvicted: the cluster's client table dropped this client's
	// session (it is full: see docs/operations.md). Returned with
	// ErrOutcomeUnknown when the request had been sent, which is almost
	// always. The next call opens a new session.
	ErrSessionEvicted = errors.New("client: session evicted from the cluster's client table")
	// ErrClosed: the client was closed. Returned with ErrOutcomeUnknown
	// for a call in flight at Close, with ErrNotApplied otherwise.
	ErrClosed = errors.New("client: closed")
	// ErrBadConfig: Dial was given an unusable configuration.
	ErrBadConfig = errors.New("client: bad config")
	// ErrRejected: the cluster rejected the request as malformed without
	// executing it. It matches ErrNotApplied.
	ErrRejected error = &classified{msg: "client: request rejected by the cluster", class: ErrNotApplied}
	// ErrPermissionDenied: the role in the client's certificate does not
	// allow the operation (a read-only client wrote, or a non-admin
	// client asked for an admin operation). The replica refused it before
	// executing it: it matches ErrNotApplied.
	ErrPermissionDenied error = &classified{msg: "client: permission denied: the role in the client certificate does not allow this operation", class: ErrNotApplied}
	// ErrBadReply: a reply did not decode. The request was executed but
	// its result is lost: it matches ErrOutcomeUnknown.
	ErrBadReply error = &classified{msg: "client: malformed reply", class: ErrOutcomeUnknown}
)

// Re-exported input errors, so callers need not import kv. The client
// returns them wrapped with ErrNotApplied.
var (
	ErrEmptyKey      = kv.ErrEmptyKey
	ErrKeyTooLarge   = kv.ErrKeyTooLarge
	ErrValueTooLarge = kv.ErrValueTooLarge
)

// classified is a sentinel that belongs to one outcome class.
type classified struct {
	msg   string
	class error
}

func (e *classified) Error() string { return e.msg }

// Unwrap makes errors.Is(e, e.class) true.
func (e *classified) Unwrap() error { return e.class }

// classError is an error whose class depends on when it happened: it
// matches both its cause and its class.
type classError struct {
	cause error
	class error
}

func (e *classError) Error() string {
	if e.class == ErrOutcomeUnknown {
		return e.cause.Error() + " (outcome unknown: the operation may have been applied)"
	}
	return e.cause.Error() + " (not applied)"
}

// Unwrap exposes the cause and the class to errors.Is and errors.As.
func (e *classError) Unwrap() []error { return []error{e.cause, e.class} }

// notApplied marks err as definitely not applied, unless it already
// belongs to a class.
func notApplied(err error) error { return classify(err, ErrNotApplied) }

// outcomeUnknown marks err as possibly applied, unless it already belongs
// to a class.
func outcomeUnknown(err error) error { return classify(err, ErrOutcomeUnknown) }

func classify(err, class error) error {
	if err == nil || errors.Is(err, ErrNotApplied) || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return &classError{cause: err, class: class}
}

// abandoned is the cause of a call that ended because its context did.
func abandoned(ctx context.Context) error {
	return fmt.Errorf("client: call abandoned: %w", ctx.Err())
}

// CASError reports a failed compare-and-set and the key's current version
// (0: the key does not exist). It matches ErrVersionMismatch and
// ErrNotApplied.
type CASError struct{ Current uint64 }

func (e *CASError) Error() string { return "client: version mismatch" }

// Is makes errors.Is(err, ErrVersionMismatch) true.
func (e *CASError) Is(target error) bool { return target == ErrVersionMismatch }

// Unwrap makes errors.Is(err, ErrNotApplied) true.
func (e *CASError) Unwrap() error { return ErrVersionMismatch }
