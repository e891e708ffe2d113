package gateway

import (
	"context"
	"errors"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// Errors of the gateway itself; the store's errors pass through.
var (
	// ErrStaleRefused: a caller asked for stale reads and the gateway
	// serves none (Config.Stale is nil).
	ErrStaleRefused = errors.New("gateway: stale reads are not enabled on this gateway")
	// ErrTooLarge: an operation (MSET, DEL of many keys) would exceed
	// Config.MaxOp, or a request Config.MaxRequest.
	ErrTooLarge = errors.New("gateway: request too large")
	// ErrContention: a conditional SET lost its compare-and-set race too
	// many times in a row; nothing was written.
	ErrContention = errors.New("gateway: too much contention on the key; not applied")
)

// failure classifies an error for the protocols' replies.
type failure int

const (
	failBadInput    failure = iota // the caller's fault: 400 / -ERR
	failTooLarge                   // 413
	failConflict                   // the state refuses it: 409 / -ERR
	failUnavailable                // the cluster did not answer: 503 / -TRYAGAIN or -ERR
	failInternal                   // anything else: 500 / -ERR
)

// classify says which kind of failure err is.
func classify(err error) failure {
	switch {
	case errors.Is(err, kv.ErrKeyTooLarge), errors.Is(err, kv.ErrValueTooLarge), errors.Is(err, ErrTooLarge):
		return failTooLarge
	case errors.Is(err, kv.ErrEmptyKey), errors.Is(err, kv.ErrScanLimit), errors.Is(err, ErrStaleRefused),
		errors.Is(err, errBadHeader):
		return failBadInput
	case errors.Is(err, kv.ErrNotInteger), errors.Is(err, kv.ErrOverflow), errors.Is(err, ErrContention):
		return failConflict
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, client.ErrClosed),
		errors.Is(err, client.ErrSessionEvicted), errors.Is(err, context.Canceled):
		return failUnavailable
	}
	return failInternal
}

// outcome names the error's outcome class: "not-applied" or "unknown".
func outcome(err error) string {
	if errors.Is(err, client.ErrOutcomeUnknown) {
		return "unknown"
	}
	return "not-applied"
}
