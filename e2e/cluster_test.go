//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/procs"
)

// cluster is a set of `vr server` processes on loopback ports. Only the
// test goroutine may start, kill or signal replicas.
type cluster struct {
	*procs.Cluster
	t *testing.T
}

// startCluster starts n replicas as a new cluster and waits until every
// one is normal. If a port was taken in the meantime it retries with other
// ports.
func startCluster(ctx context.Context, t *testing.T, n int, flags ...string) *cluster {
	t.Helper()
	return formCluster(ctx, t, n, "cluster", func(c *cluster) { c.Flags = append(c.Flags, flags...) })
}

// formCluster starts n replicas as a new cluster, set up by setup (flags,
// data directories), and waits until every one is normal; what names the
// cluster in the failure. It retries with other ports if one was taken in
// the meantime.
func formCluster(ctx context.Context, t *testing.T, n int, what string, setup func(*cluster)) *cluster {
	t.Helper()
	logDir := artifactDir(t)
	for attempt := 1; ; attempt++ {
		c := newCluster(t, n, filepath.Join(logDir, "attempt"+strconv.Itoa(attempt)))
		setup(c)
		t.Cleanup(c.killAll)
		for i := range n {
			c.start(i, true)
		}
		_, err := c.waitHealthy(ctx, 15*time.Second)
		if err == nil {
			t.Cleanup(c.logTailsOnFailure)
			return c
		}
		c.killAll()
		if attempt == 3 || !c.portCollision() {
			c.logTails()
			t.Fatalf("%s did not form: %v", what, err)
		}
		t.Logf("port collision, retrying with other ports")
	}
}

// newCluster picks free ports for n replicas and their status endpoints;
// it starts nothing.
func newCluster(t *testing.T, n int, logDir string) *cluster {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	addrs, err := procs.FreeAddrs(2 * n)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, Cluster: &procs.Cluster{Exe: vrBin, Addrs: addrs[:n:n], StatusAddrs: addrs[n:],
		LogDir: logDir, Flags: []string{"--log-level", logLevel()}}}
}

// logLevel is the replicas' log level: info, or VR_E2E_LOG_LEVEL (debug
// logs every protocol message, for a failure that needs them).
func logLevel() string {
	if l := os.Getenv("VR_E2E_LOG_LEVEL"); l != "" {
		return l
	}
	return "info"
}

// start launches replica i; newCluster only for the cluster's first start.
func (c *cluster) start(i int, newCluster bool) {
	c.t.Helper()
	if err := c.Start(i, newCluster); err != nil {
		c.t.Fatal(err)
	}
}

// kill crashes the listed replicas with SIGKILL, all before waiting for
// any (so that they die at almost the same moment), and waits until they
// are gone.
func (c *cluster) kill(idx ...int) {
	c.t.Helper()
	if err := c.Kill(idx...); err != nil {
		c.t.Fatal(err)
	}
}

// signal sends sig (SIGSTOP, SIGCONT) to replica i.
func (c *cluster) signal(i int, sig syscall.Signal) {
	c.t.Helper()
	if err := c.Signal(i, sig); err != nil {
		c.t.Fatalf("signal %v to replica %d: %v", sig, i, err)
	}
}

// killAll kills every process (SIGCONT first, in case one is stopped).
func (c *cluster) killAll() { c.Stop(0) }

// crashed returns an error if a replica exited without the test killing it.
func (c *cluster) crashed() error {
	if i := c.Crashed(); i >= 0 {
		return fmt.Errorf("replica %d exited on its own (%v); see %s", i, c.State(i), c.LogPath(i))
	}
	return nil
}

// portCollision reports whether a replica failed to bind its ports.
func (c *cluster) portCollision() bool {
	for i := range c.Addrs {
		if bytes.Contains(c.LogSince(i, 0), []byte("address already in use")) {
			return true
		}
	}
	return false
}

func (c *cluster) logTailsOnFailure() {
	if c.t.Failed() {
		c.logTails()
	}
}

// logTails logs the end of every replica's log.
func (c *cluster) logTails() {
	for i := range c.Addrs {
		if lines, err := c.LogTail(i, 15); err == nil {
			c.t.Logf("replica %d log (%s), last lines:\n%s", i, c.LogPath(i), strings.Join(lines, "\n"))
		}
	}
}
