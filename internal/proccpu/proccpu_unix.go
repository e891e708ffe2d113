//go:build unix

// Package proccpu reads the CPU time this process has used: user and
// system, every thread (the garbage collector's too).
package proccpu

import (
	"syscall"
	"time"
)

// Self is the user+system CPU time this process has used so far, or -1 if
// getrusage fails.
func Self() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
