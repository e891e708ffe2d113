package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
)

// pids lists the process ids of the running replicas.
func (c *demoCluster) pids() string {
	var ps []string
	for i := range c.Addrs {
		if c.Running(i) {
			ps = append(ps, strconv.Itoa(c.Pid(i)))
		}
	}
	return strings.Join(ps, " ")
}

// usedRecovery reports whether replica i, started after mark, ran the
// recovery protocol (it logs "recovered" when that completes).
func (c *demoCluster) usedRecovery(i int, mark int64) bool {
	b := c.LogSince(i, mark)
	return bytes.Contains(b, []byte("msg=recovered")) || bytes.Contains(b, []byte("status=recovering"))
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
		d.ui.fail("%s ran the recovery protocol although its disk was intact; see %s", d.cl.port(i), d.cl.LogPath(i))
		return "recovered"
	}
	d.diskRestarts++
	return "came back from its disk"
}

func (d *demo) explainDataDirs() {
	d.ui.explain("Durable mode: each replica keeps a write-ahead log in its own data directory,")
	d.ui.explain("%s (--data-dir, --sync sync).", filepath.Join(d.cl.LogDir, "data-<port>"))
}

func (d *demo) explainDiskRestart(i int) {
	d.ui.explain("In durable mode %s kept its log and its promises (view, last-normal-view) on disk. It", d.cl.port(i))
	d.ui.explain("replays its write-ahead log and resumes in the view it left, like a replica that was merely")
	d.ui.explain("paused: no recovery protocol, since it never promised anything its disk did not hold. For a")
	d.ui.explain("moment it may still think it is the primary of that old view, but it can commit nothing there:")
	d.ui.explain("the others have moved on and ignore it. Then it hears of the later view and fetches the ops it")
	d.ui.explain("missed from a peer (GetState → NewState: state transfer). The client keeps writing throughout.")
}
