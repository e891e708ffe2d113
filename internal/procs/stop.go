package procs

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Kill sends SIGKILL (a crash) to every listed replica that was started,
// before waiting for any, so that they die at (almost) the same moment;
// then it waits until all are gone, for at most KillWait.
func (c *Cluster) Kill(idx ...int) error {
	var dying []int
	for _, i := range idx {
		if p := c.proc(i); p != nil {
			p.killed.Store(true)
			_ = p.cmd.Process.Kill()
			dying = append(dying, i)
		}
	}
	wait := c.KillWait
	if wait == 0 {
		wait = 10 * time.Second
	}
	deadline := time.After(wait)
	for _, i := range dying {
		select {
		case <-c.proc(i).done:
		case <-deadline:
			return fmt.Errorf("replica %s (pid %d) did not die after SIGKILL", c.name(i), c.Pid(i))
		}
	}
	return nil
}

// Signal sends sig (SIGSTOP, SIGCONT, ...) to replica i's latest process.
func (c *Cluster) Signal(i int, sig os.Signal) error {
	p, err := c.process(i)
	if err != nil {
		return err
	}
	return p.Signal(sig)
}

// process returns replica i's latest process, or an error if it was never
// started.
func (c *Cluster) process(i int) (*os.Process, error) {
	p := c.proc(i)
	if p == nil {
		return nil, fmt.Errorf("replica %s was never started", c.name(i))
	}
	return p.cmd.Process, nil
}

// Stop ends every running replica and waits for them: SIGINT, and SIGKILL
// to those still running after grace (at once if grace is 0). A replica
// stopped by SIGSTOP is continued first. It returns how many it stopped.
func (c *Cluster) Stop(grace time.Duration) int {
	var live []*proc
	for i := range c.Addrs {
		if p := c.proc(i); p != nil && !p.exited() {
			p.killed.Store(true)
			resume(p.cmd.Process)
			if grace <= 0 || p.cmd.Process.Signal(os.Interrupt) != nil {
				_ = p.cmd.Process.Kill()
			}
			live = append(live, p)
		}
	}
	// Done stays closed once grace has passed: it serves every process.
	deadline, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for _, p := range live {
		select {
		case <-p.done:
		case <-deadline.Done():
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	return len(live)
}
