//go:build !linux

package main

import "syscall"

// demoSysProcAttr: outside Linux the demo relies on stopping its replicas
// itself (deferred, and on SIGINT/SIGTERM).
func demoSysProcAttr() *syscall.SysProcAttr { return nil }
