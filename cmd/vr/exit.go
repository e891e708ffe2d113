package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// Exit codes of the vr command.
const (
	exitOK          = 0
	exitNegative    = 1 // the answer is "no": key not found, CAS version mismatch, a check failed
	exitUsage       = 2 // bad flags or arguments
	exitUnavailable = 3 // the cluster did not answer in time
)

// errUnavailable: the cluster could not be reached or did not answer.
var errUnavailable = errors.New("the cluster did not answer")

// usageError marks an error caused by bad flags or arguments.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, kv.ErrEmptyKey), errors.Is(err, kv.ErrKeyTooLarge),
		errors.Is(err, kv.ErrValueTooLarge), errors.Is(err, kv.ErrScanLimit):
		return exitUsage
	case errors.Is(err, client.ErrNotFound), errors.Is(err, client.ErrVersionMismatch):
		return exitNegative
	case errors.Is(err, errUnavailable), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, client.ErrOutcomeUnknown), errors.Is(err, client.ErrSessionEvicted):
		return exitUnavailable
	}
	return exitNegative
}

// exit prints err (if any) as "vr: ..." and exits with its code.
func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "vr:", err)
	}
	os.Exit(exitCode(err))
}
