package procs

import "syscall"

// sysProcAttr puts a replica in its own process group, so that a ^C in a
// terminal reaches only the parent (which then stops the replicas in
// order), and has the kernel kill it if the parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
