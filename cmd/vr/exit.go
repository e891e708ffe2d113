package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/vr-go/vr/client"
)

// Exit codes of the vr command.
const (
	exitOK          = 0
	exitNegative    = 1 // the answer is "no": key not found, CAS version mismatch, a check failed
	exitUsage       = 2 // bad flags or arguments
	exitUnavailable = 3 // the cluster did not answer in time
)

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
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, client.ErrNotFound), errors.Is(err, client.ErrVersionMismatch):
		return exitNegative
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, client.ErrSessionEvicted):
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
