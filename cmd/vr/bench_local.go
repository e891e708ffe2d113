package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/procs"
	"github.com/vr-go/vr/loadgen"
)

// benchLocal is a cluster of `vr server` processes started by `vr bench`.
type benchLocal struct {
	statusAddrs []string // their status endpoints
	dir         string   // temporary directory: logs, and data when durable
	addrs       []string
	cl          *procs.Cluster
	witnesses   []int // the servers that run as witnesses
}

// startBenchLocal starts f.local replicas of a new cluster on free
// loopback ports, with status endpoints (read once at the end) but no
// key-value API on them, logging at f.serverLogLevel into files in the
// temporary directory, with f.serverArgs added to every server's flags.
func startBenchLocal(ctx context.Context, f benchFlags, witnesses []int) (*benchLocal, error) {
	n := f.local
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the vr binary to start servers: %w", err)
	}
	l := &benchLocal{witnesses: witnesses}
	addrs, err := procs.FreeAddrs(2 * n)
	if err != nil {
		return nil, err
	}
	l.addrs, l.statusAddrs = addrs[:n:n], addrs[n:]
	if l.dir, err = os.MkdirTemp("", "vr-bench-"); err != nil {
		return nil, err
	}
	l.cl = &procs.Cluster{Exe: exe, Addrs: l.addrs, StatusAddrs: l.statusAddrs, LogDir: l.dir,
		Flags: append([]string{"--log-level", f.serverLogLevel, "--status-kv-api=false"}, f.serverArgs...)}
	if len(witnesses) > 0 {
		l.cl.Flags = append(l.cl.Flags, "--witnesses", joinInts(witnesses))
		l.cl.Extra = func(i int) []string {
			if slices.Contains(witnesses, i) {
				return []string{"--witness"}
			}
			return nil
		}
	}
	if f.durable {
		err = l.makeDataDirs(f.sync)
	}
	for i := 0; i < n && err == nil; i++ {
		err = l.cl.Start(i, true)
	}
	if err != nil {
		l.stop(true, io.Discard)
		return nil, err
	}
	return l, ctx.Err()
}

// makeDataDirs gives every server its own data directory and --sync mode.
func (l *benchLocal) makeDataDirs(sync string) error {
	for i := range l.addrs {
		data := filepath.Join(l.dir, "data-"+strconv.Itoa(i))
		if err := os.MkdirAll(data, 0o755); err != nil {
			return err
		}
		l.cl.DataDirs = append(l.cl.DataDirs, data)
	}
	l.cl.Flags = append(l.cl.Flags, "--sync", sync)
	return nil
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
	i := l.cl.Crashed()
	if i < 0 {
		return nil
	}
	lines, _ := l.cl.LogTail(i, 8)
	return fmt.Errorf("server %d exited (%v); its log:\n%s", i, l.cl.State(i), strings.Join(lines, "\n"))
}

// cpuEach is the CPU time each server has used so far; nil if unknown.
func (l *benchLocal) cpuEach() []time.Duration {
	each := make([]time.Duration, len(l.addrs))
	for i := range l.addrs {
		d, err := loadgen.ProcessCPU(l.cl.Pid(i))
		if err != nil {
			return nil
		}
		each[i] = d
	}
	return each
}

// diskEach is the bytes each server's data directory holds now (log and
// checkpoints); nil when diskless or unknown.
func (l *benchLocal) diskEach() []int64 {
	if l.cl.DataDirs == nil {
		return nil
	}
	out := make([]int64, len(l.cl.DataDirs))
	for i, dir := range l.cl.DataDirs {
		err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			info, err := e.Info()
			if err == nil {
				out[i] += info.Size()
			}
			return err
		})
		if err != nil {
			return nil
		}
	}
	return out
}

// joinInts renders indexes as a comma-separated list.
func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// viewChanges reads how many view changes each server went through, and
// the view the cluster ended in; nil if a server did not answer.
func (l *benchLocal) viewChanges(ctx context.Context) (changes []uint64, view uint64) {
	for _, ep := range l.statusAddrs {
		s, err := fetchStatus(ctx, ep)
		if err != nil {
			return nil, 0
		}
		changes = append(changes, s.ViewChanges)
		view = max(view, s.View)
	}
	return changes, view
}

// rss is each server's resident memory now; nil if unknown.
func (l *benchLocal) rss() []int64 { return l.perServer(loadgen.ProcessRSS) }

// peakRSS is each server's peak resident memory so far; nil if unknown.
func (l *benchLocal) peakRSS() []int64 { return l.perServer(loadgen.ProcessPeakRSS) }

// perServer reads one figure of every server process; nil if one is
// unknown.
func (l *benchLocal) perServer(read func(pid int) (int64, error)) []int64 {
	out := make([]int64, len(l.addrs))
	for i := range l.addrs {
		b, err := read(l.cl.Pid(i))
		if err != nil {
			return nil
		}
		out[i] = b
	}
	return out
}

// cpuAt reads each server's CPU time at a later instant.
func (l *benchLocal) cpuAt(at time.Time) <-chan []time.Duration {
	ch := make(chan []time.Duration, 1)
	time.AfterFunc(time.Until(at), func() { ch <- l.cpuEach() })
	return ch
}

// stop ends every server (SIGINT, then SIGKILL after 3s) and removes the
// temporary directory, unless keepLogs, when it says where the logs are.
func (l *benchLocal) stop(keepLogs bool, w io.Writer) {
	l.cl.Stop(3 * time.Second)
	if keepLogs {
		fmt.Fprintf(w, "vr bench: the local servers' logs are in %s\n", l.dir)
		return
	}
	os.RemoveAll(l.dir)
}
