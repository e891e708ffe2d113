package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/internal/procs"
)

// demoCluster runs the demo's replicas as child processes of this binary.
// Replica i listens on base port+i, its status endpoint on port+1000; the
// port names it in the narration, its log file and its data directory.
type demoCluster struct {
	*procs.Cluster
}

// newDemoCluster checks the demo's ports and makes its directory. With
// --durable every replica gets its own --data-dir there; with --verbose
// (stream set) the servers' logs are copied to stream too.
func newDemoCluster(f demoFlags, stream io.Writer) (*demoCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the vr binary to start servers: %w", err)
	}
	c := &demoCluster{&procs.Cluster{Exe: exe, KillWait: 5 * time.Second,
		Flags: []string{"--view-timeout", f.viewTimeout.String(), "--log-level", "info",
			"--checkpoint-interval", strconv.FormatUint(f.checkpoint, 10)}}}
	c.Name = c.port
	if f.witness {
		w := strconv.Itoa(demoWitness)
		c.Flags = append(c.Flags, "--witnesses", w)
		c.Extra = func(i int) []string {
			if i == demoWitness {
				return []string{"--witness"}
			}
			return nil
		}
	}
	c.Addrs, c.StatusAddrs = demoAddrs(f.basePort, f.replicas)
	if err := checkPorts(c.Addrs, c.StatusAddrs, f); err != nil {
		return nil, err
	}
	if c.LogDir, err = os.MkdirTemp("", "vr-demo-"); err != nil {
		return nil, err
	}
	if f.tls {
		if err := c.useTLS(); err != nil {
			return nil, err
		}
	}
	if f.durable {
		for i := range f.replicas {
			c.DataDirs = append(c.DataDirs, filepath.Join(c.LogDir, "data-"+c.port(i)))
		}
	}
	if stream != nil {
		c.Tee = func(i int) io.Writer { return newPrefixWriter(stream, "["+c.port(i)+"] ") }
	}
	return c, nil
}

// port is replica i's port, which names it in the narration.
func (c *demoCluster) port(i int) string {
	_, p, _ := net.SplitHostPort(c.Addrs[i])
	return p
}

// unexpectedExit reports a replica that exited without the demo asking.
func (c *demoCluster) unexpectedExit() error {
	i := c.Crashed()
	if i < 0 {
		return nil
	}
	return fmt.Errorf("replica %s exited unexpectedly (%v); the end of %s:\n%s",
		c.port(i), c.State(i), c.LogPath(i), c.logTail(i, 8))
}

// logTail returns the last n lines of replica i's log, indented.
func (c *demoCluster) logTail(i, n int) string {
	lines, err := c.LogTail(i, n)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	for j := range lines {
		lines[j] = "    " + lines[j]
	}
	return strings.Join(lines, "\n")
}
