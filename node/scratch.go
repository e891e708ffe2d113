package node

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Diskless replicas write their checkpoints into a scratch directory in
// the system's temporary directory, named for the process:
// vr-checkpoints-<pid>-<random>. A replica that stops removes its own; one
// that is killed (SIGKILL, the OOM killer) cannot, and a test suite or a
// crash loop left gigabytes behind (2,039 directories, 58 GB, on the
// development machine). A starting diskless replica therefore removes, off
// its loop, the scratch directories of vr processes that no longer run.
// Directories whose name carries no pid (written before this rule) are
// left alone: nothing says whose they are.

const scratchPrefix = "vr-checkpoints-"

// scratchPattern is os.MkdirTemp's pattern for this process's directory.
func scratchPattern() string { return fmt.Sprintf("%s%d-*", scratchPrefix, os.Getpid()) }

// orphanedScratch returns the paths to remove, files before the directory
// that holds them, of the scratch directories in tmp whose process is not
// alive.
func orphanedScratch(tmp string, alive func(pid int) bool) []string {
	dirs, _ := filepath.Glob(filepath.Join(tmp, scratchPrefix+"*"))
	var out []string
	for _, dir := range dirs {
		pid, ok := scratchPID(filepath.Base(dir))
		if !ok || pid == os.Getpid() || alive(pid) {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		out = append(append(out, files...), dir)
	}
	return out
}

// scratchPID parses the pid out of a scratch directory's name.
func scratchPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, scratchPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
