//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// durableCluster is a cluster whose replicas run in durable mode, each with
// its own data directory. Every start passes --new-cluster: the data
// directory, not the flag, decides whether a replica resumes from its disk.
type durableCluster struct {
	*cluster
	dirs []string // replica i's --data-dir
}

// startDurableCluster starts n durable replicas (sync mode) as a new
// cluster and waits until every one is normal. Like startCluster, it
// retries with other ports if one was taken in the meantime.
func startDurableCluster(ctx context.Context, t *testing.T, n int) *durableCluster {
	t.Helper()
	logDir := artifactDir(t)
	for attempt := 1; ; attempt++ {
		d := newDurableCluster(t, n, filepath.Join(logDir, "attempt"+strconv.Itoa(attempt)))
		t.Cleanup(d.killAll)
		for i := range n {
			d.start(i)
		}
		_, err := d.waitHealthy(ctx, 15*time.Second)
		if err == nil {
			t.Cleanup(d.logTailsOnFailure)
			return d
		}
		d.killAll()
		if attempt == 3 || !d.portCollision() {
			d.logTails()
			t.Fatalf("durable cluster did not form: %v", err)
		}
		t.Logf("port collision, retrying with other ports")
	}
}

// newDurableCluster picks ports and fresh data directories; it starts
// nothing.
func newDurableCluster(t *testing.T, n int, logDir string) *durableCluster {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, flags: fastFlags(), logDir: logDir, procs: make([]*proc, n)}
	ports := freePorts(t, 2*n)
	d := &durableCluster{cluster: c}
	for i := range n {
		c.addrs = append(c.addrs, "127.0.0.1:"+strconv.Itoa(ports[i]))
		c.status = append(c.status, "127.0.0.1:"+strconv.Itoa(ports[n+i]))
		d.dirs = append(d.dirs, filepath.Join(t.TempDir(), "replica-"+strconv.Itoa(i)))
	}
	return d
}

// start launches replica i with its data directory and --new-cluster.
func (d *durableCluster) start(i int) {
	d.t.Helper()
	base := d.flags
	d.flags = append(slices.Clone(base), "--data-dir", d.dirs[i])
	defer func() { d.flags = base }()
	d.cluster.start(i, true)
}

// crash sends SIGKILL to every listed running replica before waiting for
// any of them, so that they die at (almost) the same moment.
func (d *durableCluster) crash(idx ...int) {
	d.t.Helper()
	var dying []*proc
	for _, i := range idx {
		if p := d.procs[i]; p != nil && !p.exited() {
			p.killed = true
			_ = p.cmd.Process.Kill()
			dying = append(dying, p)
		}
	}
	for _, p := range dying {
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			d.t.Fatalf("pid %d survived SIGKILL", p.cmd.Process.Pid)
		}
	}
}

// logSize is the current length of replica i's log file: a mark from which
// logSince reads what a later start printed.
func (d *durableCluster) logSize(i int) int64 {
	st, err := os.Stat(d.logPath(i))
	if err != nil {
		return 0
	}
	return st.Size()
}

// logSince returns replica i's log output after mark.
func (d *durableCluster) logSince(i int, mark int64) []byte {
	b, _ := os.ReadFile(d.logPath(i))
	if int64(len(b)) < mark {
		return nil
	}
	return b[mark:]
}

// waitLogLine polls replica i's log after mark for a line containing every
// one of parts, for at most limit, and returns that line.
func (d *durableCluster) waitLogLine(ctx context.Context, i int, mark int64, limit time.Duration, parts ...string) (string, error) {
	var line string
	err := poll(ctx, limit, fmt.Sprintf("replica %d to log %q", i, parts), func() bool {
		line = findLine(d.logSince(i, mark), parts...)
		return line != ""
	})
	return line, err
}

// findLine returns the first line of b that contains every part, or "".
func findLine(b []byte, parts ...string) string {
	for l := range bytes.Lines(b) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !bytes.Contains(l, []byte(p)) }) {
			return string(bytes.TrimSpace(l))
		}
	}
	return ""
}

// poll checks cond every 20ms until it holds, for at most limit.
func poll(ctx context.Context, limit time.Duration, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up after %v waiting for %s", limit, what)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
