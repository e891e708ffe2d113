package procs

import "os"

// All is every replica index, 0 to len(Addrs)-1.
func (c *Cluster) All() []int {
	idx := make([]int, len(c.Addrs))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Running reports whether replica i was started and has not exited.
func (c *Cluster) Running(i int) bool {
	p := c.proc(i)
	return p != nil && !p.exited()
}

// Exited reports whether replica i was started and its latest process has
// exited, for whatever reason.
func (c *Cluster) Exited(i int) bool {
	p := c.proc(i)
	return p != nil && p.exited()
}

// Pid is the process id of replica i's latest process; 0 if never started.
func (c *Cluster) Pid(i int) int {
	if p := c.proc(i); p != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// State is how replica i's latest process ended; nil while it runs.
func (c *Cluster) State(i int) *os.ProcessState {
	if p := c.proc(i); p != nil && p.exited() {
		return p.cmd.ProcessState
	}
	return nil
}

// Crashed returns the first replica whose latest process exited although
// neither Kill nor Stop ended it, or -1 if there is none.
func (c *Cluster) Crashed() int {
	for i := range c.Addrs {
		if p := c.proc(i); p != nil && !p.killed.Load() && p.exited() {
			return i
		}
	}
	return -1
}

// ExpectExit marks replica i's exit as expected (a replica a
// reconfiguration removes exits on its own): Crashed ignores it. State
// tells how it exited.
func (c *Cluster) ExpectExit(i int) {
	if p := c.proc(i); p != nil {
		p.killed.Store(true)
	}
}
