//go:build linux

package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReconfigureDemo runs `vr demo --reconfigure` (3 → 5 through two
// standbys added, checked with vr reconfigure --check and promoted, a killed member
// replaced on a new port, the primary removed, 5 → 3, a client writing
// throughout), which checks itself: every acknowledged write reads back,
// the final members' digests agree, the removed replicas exit 0; it exits
// non-zero otherwise.
func TestReconfigureDemo(t *testing.T) {
	base := freeDemoPorts(t, 25100, 6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeScale())*2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, vrBin, "demo", "--reconfigure", "--base-port", strconv.Itoa(base),
		"--deadline", (time.Duration(timeScale()) * 90 * time.Second).String())
	out, err := cmd.CombinedOutput()
	if m := regexp.MustCompile(`logs are in (\S+)`).FindSubmatch(out); m != nil && err == nil {
		_ = os.RemoveAll(string(m[1])) // the demo keeps its servers' logs; nothing to look at after a pass
	}
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("vr demo --reconfigure: %v\n%s", err, out)
	}
	for _, want := range []string{"epochs 0 → 1 → 2 → 3 → 4", "finished: every member started epoch 1", "(standby)", "retired and exited with status 0", "transitioning no"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}

// freeDemoPorts finds a base port, from from on, whose n replica ports and
// n status ports (+1000) are free. Each demo test starts from its own
// range.
func freeDemoPorts(t *testing.T, from, n int) int {
	for base := from; base < 30000; base += 41 {
		free := true
		for i := range n {
			for _, p := range []int{base + i, base + i + 1000} {
				ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
				if err != nil {
					free = false
					break
				}
				ln.Close()
			}
		}
		if free {
			return base
		}
	}
	t.Fatal("no free ports for the demo")
	return 0
}
