//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cluster is a set of `vr server` processes on loopback ports. Only the
// test goroutine may start, kill or signal replicas.
type cluster struct {
	t      *testing.T
	addrs  []string // replica addresses, in configuration order
	status []string // their status endpoints
	flags  []string // extra server flags
	logDir string
	procs  []*proc
}

// proc is one started server process.
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	killed bool          // the test killed it on purpose
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startCluster starts n replicas as a new cluster and waits until every
// one is normal. If a port was taken in the meantime it retries with other
// ports.
func startCluster(ctx context.Context, t *testing.T, n int, flags ...string) *cluster {
	t.Helper()
	logDir := artifactDir(t)
	for attempt := 1; ; attempt++ {
		c := &cluster{t: t, flags: flags, logDir: filepath.Join(logDir, "attempt"+strconv.Itoa(attempt))}
		if err := os.MkdirAll(c.logDir, 0o755); err != nil {
			t.Fatal(err)
		}
		ports := freePorts(t, 2*n)
		for i := range n {
			c.addrs = append(c.addrs, "127.0.0.1:"+strconv.Itoa(ports[i]))
			c.status = append(c.status, "127.0.0.1:"+strconv.Itoa(ports[n+i]))
		}
		c.procs = make([]*proc, n)
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
			t.Fatalf("cluster did not form: %v", err)
		}
		t.Logf("port collision, retrying with other ports")
	}
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func (c *cluster) logPath(i int) string {
	return filepath.Join(c.logDir, fmt.Sprintf("replica-%d.log", i))
}

// start launches replica i; newCluster only for the cluster's first start.
func (c *cluster) start(i int, newCluster bool) {
	c.t.Helper()
	if c.procs[i] != nil && !c.procs[i].exited() {
		c.t.Fatalf("replica %d is already running", i)
	}
	lf, err := os.OpenFile(c.logPath(i), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(lf, "=== start (new-cluster=%v) at %s\n", newCluster, time.Now().Format(time.RFC3339Nano))
	args := []string{"server", "--index", strconv.Itoa(i), "--cluster", strings.Join(c.addrs, ","),
		"--status-addr", c.status[i], "--log-level", "info"}
	if newCluster {
		args = append(args, "--new-cluster")
	}
	cmd := exec.Command(vrBin, append(args, c.flags...)...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		lf.Close()
		c.t.Fatalf("start replica %d: %v", i, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	c.procs[i] = p
}

// serverEnv is the environment without VR_* variables, which `vr server`
// would read as flags (VR_DATA_DIR, VR_CLUSTER_ID, ...).
func serverEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "VR_") })
}

// running reports whether replica i is started and has not exited.
func (c *cluster) running(i int) bool { return c.procs[i] != nil && !c.procs[i].exited() }

// kill crashes replica i with SIGKILL and waits until it is gone.
func (c *cluster) kill(i int) {
	c.t.Helper()
	p := c.procs[i]
	p.killed = true
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		c.t.Fatalf("replica %d survived SIGKILL", i)
	}
}

// signal sends sig (SIGSTOP, SIGCONT) to replica i.
func (c *cluster) signal(i int, sig syscall.Signal) {
	c.t.Helper()
	if err := c.procs[i].cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %v to replica %d: %v", sig, i, err)
	}
}

// killAll kills every process (SIGCONT first, in case one is stopped).
func (c *cluster) killAll() {
	for _, p := range c.procs {
		if p != nil && !p.exited() {
			p.killed = true
			_ = p.cmd.Process.Signal(syscall.SIGCONT)
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// crashed returns an error if a replica exited without the test killing it.
func (c *cluster) crashed() error {
	for i, p := range c.procs {
		if p != nil && !p.killed && p.exited() {
			return fmt.Errorf("replica %d exited on its own (%v); see %s", i, p.cmd.ProcessState, c.logPath(i))
		}
	}
	return nil
}

// portCollision reports whether a replica failed to bind its ports.
func (c *cluster) portCollision() bool {
	for i := range c.procs {
		b, _ := os.ReadFile(c.logPath(i))
		if bytes.Contains(b, []byte("address already in use")) {
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
	for i := range c.procs {
		b, err := os.ReadFile(c.logPath(i))
		if err != nil {
			continue
		}
		var lines []string
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		lines = lines[max(0, len(lines)-15):]
		c.t.Logf("replica %d log (%s), last lines:\n%s", i, c.logPath(i), strings.Join(lines, "\n"))
	}
}
