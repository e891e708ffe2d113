package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// dataDir is replica i's --data-dir with --durable.
func (c *demoCluster) dataDir(i int) string {
	return filepath.Join(c.logDir, "data-"+c.port(i))
}

// crashAll sends SIGKILL to every running replica before waiting for any,
// so that they all die at the same moment, then waits until all are gone.
func (c *demoCluster) crashAll() error {
	var dying []int
	for i, p := range c.procs {
		if p != nil && !p.exited() {
			p.killed = true
			_ = p.cmd.Process.Kill()
			dying = append(dying, i)
		}
	}
	deadline := time.After(5 * time.Second)
	for _, i := range dying {
		select {
		case <-c.procs[i].done:
		case <-deadline:
			return fmt.Errorf("replica %s (pid %d) did not die after SIGKILL", c.port(i), c.pid(i))
		}
	}
	return nil
}

// pids lists the process ids of the running replicas.
func (c *demoCluster) pids() string {
	var ps []string
	for i := range c.procs {
		if c.running(i) {
			ps = append(ps, strconv.Itoa(c.pid(i)))
		}
	}
	return strings.Join(ps, " ")
}

// logSize is the length of replica i's log file: a mark after which the
// next start's output begins.
func (c *demoCluster) logSize(i int) int64 {
	st, err := os.Stat(c.logPath(i))
	if err != nil {
		return 0
	}
	return st.Size()
}

// usedRecovery reports whether replica i, started after mark, ran the
// recovery protocol (it logs "recovered" when that completes).
func (c *demoCluster) usedRecovery(i int, mark int64) bool {
	b, err := os.ReadFile(c.logPath(i))
	if err != nil || int64(len(b)) < mark {
		return false
	}
	return bytes.Contains(b[mark:], []byte("msg=recovered")) ||
		bytes.Contains(b[mark:], []byte("status=recovering"))
}

// noteRestart counts a restart of replica i (started after mark) and says
// how it came back. With --durable, a restart that needed the recovery
// protocol fails the demo: in sync mode the disk holds every promise.
func (d *demo) noteRestart(i int, mark int64) string {
	if !d.f.durable {
		d.recoveries++
		return "recovered"
	}
	if d.cl.usedRecovery(i, mark) {
		d.recoveries++
		d.fromDiskOK = false
		d.ui.fail("%s ran the recovery protocol although its disk was intact; see %s", d.cl.port(i), d.cl.logPath(i))
		return "recovered"
	}
	d.diskRestarts++
	return "came back from its disk"
}

func (d *demo) explainDataDirs() {
	d.ui.explain("Durable mode: each replica keeps a write-ahead log in its own data directory,")
	d.ui.explain("%s (--data-dir, --sync sync).", filepath.Join(d.cl.logDir, "data-<port>"))
}

func (d *demo) explainDiskRestart(i int) {
	d.ui.explain("In durable mode %s kept its log and its promises (view, last-normal-view) on disk. It", d.cl.port(i))
	d.ui.explain("replays its write-ahead log and resumes in the view it left, like a replica that was merely")
	d.ui.explain("paused: no recovery protocol, since it never promised anything its disk did not hold. For a")
	d.ui.explain("moment it may still think it is the primary of that old view, but it can commit nothing there:")
	d.ui.explain("the others have moved on and ignore it. Then it hears of the later view and fetches the ops it")
	d.ui.explain("missed from a peer (GetState → NewState: state transfer). The client keeps writing throughout.")
}
