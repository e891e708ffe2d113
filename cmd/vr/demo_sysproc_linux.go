package main

import "syscall"

// demoSysProcAttr puts a replica in its own process group, so that a ^C in
// the terminal reaches only the demo (which then stops the replicas in
// order), and has the kernel kill it if the demo itself dies.
func demoSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
