package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// demoCluster runs the demo's replicas as child processes of this binary.
type demoCluster struct {
	exe     string
	addrs   []string // replica addresses, in configuration order
	status  []string // their status endpoints
	logDir  string
	flags   []string  // extra `vr server` flags
	durable bool      // every replica gets its own --data-dir
	stream  io.Writer // with --verbose, servers' logs are copied here too
	procs   []*demoProc
}

// demoProc is one started replica process.
type demoProc struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed once the process has exited
	killed bool          // the demo stopped it on purpose
}

func (p *demoProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func newDemoCluster(f demoFlags, stream io.Writer) (*demoCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the vr binary to start servers: %w", err)
	}
	c := &demoCluster{exe: exe, stream: stream, procs: make([]*demoProc, f.replicas), durable: f.durable,
		flags: []string{"--view-timeout", f.viewTimeout.String(), "--log-level", "info"}}
	for i := range f.replicas {
		c.addrs = append(c.addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(f.basePort+i)))
		c.status = append(c.status, net.JoinHostPort("127.0.0.1", strconv.Itoa(f.basePort+i+1000)))
	}
	if err := checkPorts(c.addrs, c.status, f); err != nil {
		return nil, err
	}
	if c.logDir, err = os.MkdirTemp("", "vr-demo-"); err != nil {
		return nil, err
	}
	return c, nil
}

// port is replica i's port, which names it in the narration.
func (c *demoCluster) port(i int) string {
	_, p, _ := net.SplitHostPort(c.addrs[i])
	return p
}

func (c *demoCluster) logPath(i int) string {
	return filepath.Join(c.logDir, "replica-"+c.port(i)+".log")
}

// running reports whether replica i was started and has not exited.
func (c *demoCluster) running(i int) bool {
	return c.procs[i] != nil && !c.procs[i].exited()
}

// pid is replica i's process id.
func (c *demoCluster) pid(i int) int { return c.procs[i].cmd.Process.Pid }

// serverArgs is the command line of replica i.
func (c *demoCluster) serverArgs(i int, newCluster bool) []string {
	args := []string{"server", "--index", strconv.Itoa(i), "--cluster", strings.Join(c.addrs, ",")}
	if newCluster {
		args = append(args, "--new-cluster")
	}
	if c.durable {
		args = append(args, "--data-dir", c.dataDir(i))
	}
	return append(args, c.flags...)
}

// start launches replica i; newCluster is only for the cluster's first start.
func (c *demoCluster) start(i int, newCluster bool) error {
	if c.running(i) {
		return fmt.Errorf("replica %s is already running", c.port(i))
	}
	lf, err := os.OpenFile(c.logPath(i), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.exe, c.serverArgs(i, newCluster)...)
	cmd.Env = serverEnv()
	cmd.SysProcAttr = demoSysProcAttr()
	var out io.Writer = lf
	if c.stream != nil {
		out = io.MultiWriter(lf, newPrefixWriter(c.stream, "["+c.port(i)+"] "))
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("start replica %s: %w", c.port(i), err)
	}
	p := &demoProc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	c.procs[i] = p
	return nil
}

// serverEnv is this process's environment without VR_* variables, which
// `vr server` would read as flags and so diverge from the demo's client.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VR_") {
			env = append(env, kv)
		}
	}
	return env
}

// kill stops replica i with SIGKILL (a crash) and waits until it is gone.
func (c *demoCluster) kill(i int) error {
	p := c.procs[i]
	p.killed = true
	if err := p.cmd.Process.Kill(); err != nil && !p.exited() {
		return fmt.Errorf("kill replica %s: %w", c.port(i), err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("replica %s (pid %d) did not die after SIGKILL", c.port(i), p.cmd.Process.Pid)
	}
}

// stopAll stops every running replica: SIGTERM, then SIGKILL after a grace
// period. It returns how many it stopped.
func (c *demoCluster) stopAll() int {
	var live []*demoProc
	for _, p := range c.procs {
		if p != nil && !p.exited() {
			p.killed = true
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				_ = p.cmd.Process.Kill()
			}
			live = append(live, p)
		}
	}
	grace := time.After(2 * time.Second)
	for _, p := range live {
		select {
		case <-p.done:
		case <-grace:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	return len(live)
}

// unexpectedExit reports a replica that exited without the demo asking.
func (c *demoCluster) unexpectedExit() error {
	for i, p := range c.procs {
		if p != nil && !p.killed && p.exited() {
			return fmt.Errorf("replica %s exited unexpectedly (%v); the end of %s:\n%s",
				c.port(i), p.cmd.ProcessState, c.logPath(i), tailFile(c.logPath(i), 8))
		}
	}
	return nil
}

// tailFile returns the last n lines of a file, indented.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, "    "+sc.Text())
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
