package procs

import (
	"errors"
	"os"
)

// ErrNoFreeze is returned by Freeze and Thaw where a process cannot be
// paused from outside (Windows has no SIGSTOP).
var ErrNoFreeze = errors.New("procs: this platform cannot pause a process (no SIGSTOP)")

// Freeze pauses replica i's latest process (SIGSTOP): it stops dead,
// holding what it had, until Thaw (or Stop, which continues it first).
func (c *Cluster) Freeze(i int) error {
	p, err := c.process(i)
	if err != nil {
		return err
	}
	return freeze(p)
}

// Thaw continues replica i's process after Freeze (SIGCONT).
func (c *Cluster) Thaw(i int) error {
	p, err := c.process(i)
	if err != nil {
		return err
	}
	return thaw(p)
}

// resume continues p in case Freeze stopped it.
func resume(p *os.Process) { _ = thaw(p) }
