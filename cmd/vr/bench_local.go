package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/loadgen"
)

// benchLocal is a cluster of `vr server` processes started by `vr bench`.
type benchLocal struct {
	dir   string // temporary directory: logs, and data when durable
	addrs []string
	procs []*exec.Cmd
	done  []chan struct{} // closed when process i has exited
}

// startBenchLocal starts n replicas of a new cluster on free loopback
// ports, with their status endpoints off.
func startBenchLocal(ctx context.Context, n int, durable bool, sync string) (*benchLocal, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the vr binary to start servers: %w", err)
	}
	l := &benchLocal{}
	if l.addrs, err = benchFreeAddrs(n); err != nil {
		return nil, err
	}
	if l.dir, err = os.MkdirTemp("", "vr-bench-"); err != nil {
		return nil, err
	}
	for i := range n {
		args := []string{"server", "--index", strconv.Itoa(i), "--cluster", strings.Join(l.addrs, ","),
			"--new-cluster", "--status-addr", "off", "--log-level", "warn"}
		if durable {
			data := filepath.Join(l.dir, "data-"+strconv.Itoa(i))
			if err := os.MkdirAll(data, 0o755); err != nil {
				l.stop(true, io.Discard)
				return nil, err
			}
			args = append(args, "--data-dir", data, "--sync", sync)
		}
		if err := l.start(exe, args, i); err != nil {
			l.stop(true, io.Discard)
			return nil, err
		}
	}
	return l, ctx.Err()
}

// start launches one server with its output in a log file.
func (l *benchLocal) start(exe string, args []string, i int) error {
	log, err := os.Create(l.logPath(i))
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env, cmd.SysProcAttr = serverEnv(), demoSysProcAttr()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start server %d: %w", i, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(done)
	}()
	l.procs, l.done = append(l.procs, cmd), append(l.done, done)
	return nil
}

func (l *benchLocal) logPath(i int) string {
	return filepath.Join(l.dir, "server-"+strconv.Itoa(i)+".log")
}

// dial connects to the new cluster once its servers listen, and waits
// until it executes a request; it gives up after 30s or if a server dies.
func (l *benchLocal) dial(ctx context.Context, cfg client.Config) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		c, err := client.DialConfig(ctx, cfg)
		if err == nil {
			if err = l.waitReady(ctx, c); err == nil {
				return c, nil
			}
			c.Close()
			return nil, err
		}
		if e := l.exitedEarly(); e != nil {
			return nil, e
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the local cluster did not start (logs in %s): %w", l.dir, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitReady waits until the cluster executes a request, or a server dies.
func (l *benchLocal) waitReady(ctx context.Context, c *client.Client) error {
	res := make(chan error, 1)
	go func() {
		_, _, err := c.Get(ctx, []byte("vr-bench-ready"))
		if errors.Is(err, client.ErrNotFound) {
			err = nil
		}
		res <- err
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-res:
			if err != nil {
				return fmt.Errorf("the local cluster did not start (logs in %s): %w", l.dir, err)
			}
			return nil
		case <-tick.C:
			if err := l.exitedEarly(); err != nil {
				return err
			}
		}
	}
}

// exitedEarly reports a server that has exited.
func (l *benchLocal) exitedEarly() error {
	for i, d := range l.done {
		select {
		case <-d:
			b, _ := os.ReadFile(l.logPath(i))
			return fmt.Errorf("server %d exited (%v); its log:\n%s", i, l.procs[i].ProcessState, lastLines(string(b), 8))
		default:
		}
	}
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// benchFreeAddrs finds n free loopback ports by binding port 0; another
// process could take one before the server binds it (a rare, clear error).
func benchFreeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// cpu is the total CPU time the servers have used so far, -1 if unknown.
func (l *benchLocal) cpu() time.Duration {
	var total time.Duration
	for _, p := range l.procs {
		d, err := loadgen.ProcessCPU(p.Process.Pid)
		if err != nil {
			return -1
		}
		total += d
	}
	return total
}

// cpuAt reads the servers' CPU time at a later instant.
func (l *benchLocal) cpuAt(at time.Time) <-chan time.Duration {
	ch := make(chan time.Duration, 1)
	time.AfterFunc(time.Until(at), func() { ch <- l.cpu() })
	return ch
}

// stop ends every server (SIGTERM, then SIGKILL after 3s) and removes the
// temporary directory, unless keepLogs, when it says where the logs are.
func (l *benchLocal) stop(keepLogs bool, w io.Writer) {
	for _, p := range l.procs {
		if p.Process.Signal(os.Interrupt) != nil {
			_ = p.Process.Kill()
		}
	}
	grace := time.After(3 * time.Second)
	for i, p := range l.procs {
		select {
		case <-l.done[i]:
		case <-grace:
			_ = p.Process.Kill()
			<-l.done[i]
		}
	}
	if keepLogs {
		fmt.Fprintf(w, "vr bench: the local servers' logs are in %s\n", l.dir)
		return
	}
	os.RemoveAll(l.dir)
}
