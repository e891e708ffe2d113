package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// proc is a server child process with its output in a log file.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
}

// startProc runs exe with args, logging to logPath, with GOMAXPROCS set
// to gomaxprocs unless that is 0 or the environment sets it. The child is
// killed by the kernel if this process dies (Linux), so no server outlives
// a run.
func startProc(exe string, args []string, logPath string, gomaxprocs int) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = envWithout("VR_")
	if _, set := os.LookupEnv("GOMAXPROCS"); !set && gomaxprocs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(gomaxprocs))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", filepath.Base(exe), err)
	}
	p := &proc{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// exitErr reports the process if it has exited, with the end of its log.
func (p *proc) exitErr() error {
	select {
	case <-p.done:
		b, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		return fmt.Errorf("%s exited (%v); end of its log:\n%s", p.log, p.cmd.ProcessState,
			strings.Join(lines[max(0, len(lines)-8):], "\n"))
	default:
		return nil
	}
}

// stopProcs sends SIGTERM to every process and SIGKILL to those still
// running after 5 seconds.
func stopProcs(ps []*proc) {
	for _, p := range ps {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	grace := time.After(5 * time.Second)
	for _, p := range ps {
		select {
		case <-p.done:
		case <-grace:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// procsCPU is the CPU time used so far by every process, -1 if unknown.
func procsCPU(ps []*proc) time.Duration {
	var total time.Duration
	for _, p := range ps {
		d, err := loadgen.ProcessCPU(p.cmd.Process.Pid)
		if err != nil {
			return -1
		}
		total += d
	}
	return total
}

// coreShare is the GOMAXPROCS of each of n server processes that share
// this machine's CPUs: its share of them, at least 1. Go sets GOMAXPROCS
// to the CPUs a process may use (its cgroup's limit, when it has one), so
// the share is what each server would see in a container limited to it.
func coreShare(n int) int { return max(1, runtime.NumCPU()/n) }

// envWithout is this process's environment less variables with prefix.
func envWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// freePorts finds n free loopback ports (binding port 0, then releasing).
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
