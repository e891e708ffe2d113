//go:build unix

package node

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time this process has used so far, or
// -1 if getrusage fails.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
