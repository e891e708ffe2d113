//go:build !unix

// Package proccpu reads the CPU time this process has used: user and
// system, every thread (the garbage collector's too).
package proccpu

import "time"

// Self is unknown on this platform: -1.
func Self() time.Duration { return -1 }
