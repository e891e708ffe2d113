package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/client"
)

// buildVR builds the vr command of the main module (through the replace
// directive in go.mod) into dir and returns the binary's path.
func buildVR(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "vr")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/vr-go/vr/cmd/vr")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build github.com/vr-go/vr/cmd/vr: %v\n%s", err, out)
	}
	return bin, nil
}

// vrCluster is n `vr server` processes.
type vrCluster struct {
	procs []*proc
	addrs []string
}

// startVR starts a new cluster for spec: diskless, or durable with --sync
// sync (fsync before every reply) when spec.Fsync or spec.Tmpfs is set.
func startVR(ctx context.Context, bin, dir string, spec runSpec, gomaxprocs int) (*vrCluster, error) {
	n, durable := spec.Replicas, spec.Fsync || spec.Tmpfs
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	c := &vrCluster{}
	for _, p := range ports {
		c.addrs = append(c.addrs, "127.0.0.1:"+strconv.Itoa(p))
	}
	if spec.InProcess {
		return c, c.startInProcess(dir, gomaxprocs)
	}
	for i := range n {
		args := []string{"server", "--index", strconv.Itoa(i), "--cluster", strings.Join(c.addrs, ","),
			"--new-cluster", "--status-addr", "off", "--log-level", "warn"}
		if durable {
			data := filepath.Join(dir, "vr-"+strconv.Itoa(i))
			if err := os.MkdirAll(data, 0o755); err != nil {
				c.stop()
				return nil, err
			}
			args = append(args, "--data-dir", data, "--sync", "sync")
		}
		p, err := startProc(bin, args, filepath.Join(dir, "vr-"+strconv.Itoa(i)+".log"), gomaxprocs)
		if err != nil {
			c.stop()
			return nil, err
		}
		c.procs = append(c.procs, p)
	}
	return c, ctx.Err()
}

// startInProcess starts every replica (diskless) in one child process:
// this binary's hidden vr-replicas subcommand.
func (c *vrCluster) startInProcess(dir string, gomaxprocs int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	p, err := startProc(exe, []string{vrReplicasCmd, "-cluster", strings.Join(c.addrs, ",")}, filepath.Join(dir, "vr-replicas.log"), gomaxprocs)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return nil
}

// dial connects a client with one session per load client, once the
// cluster executes a request (30s at most).
func (c *vrCluster) dial(ctx context.Context, sessions int) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		cl, err := client.DialConfig(ctx, client.Config{Addrs: c.addrs, Sessions: sessions})
		if err == nil {
			_, _, err = cl.Get(ctx, []byte("ready"))
			if err == nil || errors.Is(err, client.ErrNotFound) {
				return cl, nil
			}
			cl.Close()
		}
		for _, p := range c.procs {
			if e := p.exitErr(); e != nil {
				return nil, e
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("vr cluster did not become ready: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *vrCluster) stop() { stopProcs(c.procs) }

// removeAll empties a run's directory (data and logs) for the next run.
func removeAll(dir string) {
	_ = os.RemoveAll(dir)
}
