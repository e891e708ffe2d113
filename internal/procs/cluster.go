// Package procs starts and manages `vr server` child processes: the
// replicas of one cluster, each with its output in a log file, in its own
// process group and without the parent's VR_* environment. It serves
// `vr demo`, `vr bench --local` and the end-to-end tests.
package procs

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/internal/certs"
)

// Cluster is a set of `vr server` processes, one per address. Set the
// exported fields before the first Start and leave them alone afterwards.
// Its methods may be called from several goroutines.
type Cluster struct {
	Exe         string   // the vr binary
	Addrs       []string // replica addresses, in configuration order
	StatusAddrs []string // if set, replica i gets --status-addr StatusAddrs[i]
	DataDirs    []string // if set, replica i gets --data-dir DataDirs[i]
	Flags       []string // more `vr server` flags, after the others
	// Extra, if set, returns more flags for replica i alone, after Flags.
	Extra func(i int) []string
	// TLSDir, if set, is a directory made by certs.InitDir: replica i
	// gets --tls-cert, --tls-key and --tls-ca of its certificate there.
	TLSDir string
	LogDir string // where the log files go (see LogPath)
	// PeerAddrs, if set, is each replica's own --cluster list: replica i
	// gets --cluster PeerAddrs[i] and --listen Addrs[i], so that it can
	// reach its peers through proxies while it listens on its real address.
	PeerAddrs [][]string
	// JoinFrom, if positive, makes replicas at or above it joiners
	// (replicas a reconfiguration adds): replica i gets --join --id i
	// --listen Addrs[i] --cluster Addrs[:JoinFrom] instead of --index.
	JoinFrom int

	// Name names replica i in log file names and errors; by default its
	// index.
	Name func(i int) string
	// Tee, if set, returns a writer that also gets replica i's output (nil
	// for none), called at each start.
	Tee func(i int) io.Writer
	// KillWait bounds how long Kill waits for the processes it killed;
	// 10 seconds if zero.
	KillWait time.Duration

	mu    sync.Mutex
	procs []*proc // by replica index; nil until started
}

// proc is one started process.
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed once the process has exited
	killed atomic.Bool   // Kill or Stop ended it on purpose
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Args is replica i's `vr server` command line, without the binary;
// newCluster adds --new-cluster, for the cluster's first start.
func (c *Cluster) Args(i int, newCluster bool) []string {
	peers := c.Addrs
	if c.JoinFrom > 0 {
		peers = c.Addrs[:c.JoinFrom] // epoch 0's configuration
	}
	if c.PeerAddrs != nil {
		peers = c.PeerAddrs[i]
	}
	args := []string{"server", "--index", strconv.Itoa(i), "--cluster", strings.Join(peers, ",")}
	if c.JoinFrom > 0 && i >= c.JoinFrom {
		args = []string{"server", "--join", "--id", strconv.Itoa(i), "--listen", c.Addrs[i], "--cluster", strings.Join(c.Addrs[:c.JoinFrom], ",")}
		newCluster = false
	}
	if c.PeerAddrs != nil {
		args = append(args, "--listen", c.Addrs[i])
	}
	if newCluster {
		args = append(args, "--new-cluster")
	}
	switch {
	case c.StatusAddrs != nil && c.JoinFrom > 0 && i >= c.JoinFrom:
		args = append(args, "--status-addr", c.StatusAddrs[i]) // a joiner's cluster view is its own
	case c.StatusAddrs != nil && c.JoinFrom > 0:
		args = append(args, "--status-addr", c.StatusAddrs[i], "--status-addrs", strings.Join(c.StatusAddrs[:c.JoinFrom], ","))
	case c.StatusAddrs != nil:
		args = append(args, "--status-addr", c.StatusAddrs[i], "--status-addrs", strings.Join(c.StatusAddrs, ","))
	}
	if c.DataDirs != nil {
		args = append(args, "--data-dir", c.DataDirs[i])
	}
	if c.TLSDir != "" {
		f := certs.ReplicaFiles(c.TLSDir, i)
		args = append(args, "--tls-cert", f.Cert, "--tls-key", f.Key, "--tls-ca", f.CA)
	}
	args = append(args, c.Flags...)
	if c.Extra != nil {
		args = append(args, c.Extra(i)...)
	}
	return args
}

// Start launches replica i unless it is running. Its output is appended
// to LogPath(i), after a line that marks the start.
func (c *Cluster) Start(i int, newCluster bool) error {
	if c.Running(i) {
		return fmt.Errorf("replica %s is already running", c.name(i))
	}
	lf, err := os.OpenFile(c.LogPath(i), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(lf, "=== start (new-cluster=%v) at %s\n", newCluster, time.Now().Format(time.RFC3339Nano))
	cmd := c.command(i, newCluster, lf)
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("start replica %s: %w", c.name(i), err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.procs == nil {
		c.procs = make([]*proc, len(c.Addrs))
	}
	c.procs[i] = p
	return nil
}

// command is replica i's process, writing to log (and Tee).
func (c *Cluster) command(i int, newCluster bool, log io.Writer) *exec.Cmd {
	cmd := exec.Command(c.Exe, c.Args(i, newCluster)...)
	cmd.Env, cmd.SysProcAttr = serverEnv(), sysProcAttr()
	out := log
	if c.Tee != nil {
		if w := c.Tee(i); w != nil {
			out = io.MultiWriter(log, w)
		}
	}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd
}

// serverEnv is this process's environment without VR_* variables, which
// `vr server` would read as flags (VR_DATA_DIR, VR_CLUSTER_ID, ...).
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VR_") {
			env = append(env, kv)
		}
	}
	return env
}

func (c *Cluster) name(i int) string {
	if c.Name != nil {
		return c.Name(i)
	}
	return strconv.Itoa(i)
}

// proc is replica i's latest process, nil if it was never started.
func (c *Cluster) proc(i int) *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.procs) {
		return nil
	}
	return c.procs[i]
}
