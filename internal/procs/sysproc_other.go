//go:build !linux

package procs

import (
	"os"
	"syscall"
)

// sysProcAttr: outside Linux the parent relies on stopping its replicas
// itself (deferred, and on SIGINT/SIGTERM).
func sysProcAttr() *syscall.SysProcAttr { return nil }

// resume does nothing: only the Linux tests stop replicas with SIGSTOP.
func resume(*os.Process) {}
