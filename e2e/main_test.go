//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vrBin is the vr binary that TestMain builds for every test.
var vrBin string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vr-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	vrBin = filepath.Join(dir, "vr")
	args := []string{"build", "-o", vrBin}
	if raceServers() {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "github.com/vr-go/vr/cmd/vr")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building vr:", err)
		return 1
	}
	return m.Run()
}

// raceServers reports whether the servers are built with -race.
func raceServers() bool { return os.Getenv("VR_E2E_RACE") == "1" }

// timeScale stretches test deadlines for slow (race-built) servers.
func timeScale() int {
	if raceServers() {
		return 3
	}
	return 1
}

// artifactDir is where a test keeps logs and visualizations: under
// $VR_E2E_ARTIFACTS if set, else a temporary directory that is removed
// when the test passes and kept (its path logged) when it fails.
func artifactDir(t *testing.T) string {
	name := strings.ReplaceAll(t.Name(), "/", "_")
	if root := os.Getenv("VR_E2E_ARTIFACTS"); root != "" {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "vr-e2e-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("artifacts kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}
