package procs

import (
	"os"
	"syscall"
)

// sysProcAttr puts a replica in its own process group, so that a ^C in a
// terminal reaches only the parent (which then stops the replicas in
// order), and has the kernel kill it if the parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// resume continues p in case SIGSTOP stopped it.
func resume(p *os.Process) { _ = p.Signal(syscall.SIGCONT) }
