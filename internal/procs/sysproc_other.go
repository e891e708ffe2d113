//go:build !linux

package procs

import "syscall"

// sysProcAttr: outside Linux the parent relies on stopping its replicas
// itself (deferred, and on SIGINT/SIGTERM).
func sysProcAttr() *syscall.SysProcAttr { return nil }
