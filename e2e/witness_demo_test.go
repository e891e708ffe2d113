//go:build linux

package e2e

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWitnessDemo runs `vr demo --witness` (2 full replicas and a witness;
// the full backup frozen while writes commit on the primary and the
// witness, then the primary killed and the backup taking over), which
// checks itself: every acknowledged write reads back, the full replicas'
// digests agree, the witness never leads; it exits non-zero otherwise.
func TestWitnessDemo(t *testing.T) {
	base := freeDemoBase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeScale())*3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, vrBin, "demo", "--witness", "--base-port", strconv.Itoa(base),
		"--deadline", (time.Duration(timeScale()) * 150 * time.Second).String())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("vr demo --witness: %v\n%s", err, out)
	}
	for _, want := range []string{"normal  witness", "the new primary", "full replicas executed the same"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}

// freeDemoBase finds a base port whose 3 replica ports and 3 status ports
// (+1000) are free.
func freeDemoBase(t *testing.T) int {
	for base := 24100; base < 30000; base += 37 {
		free := true
		for _, p := range []int{base, base + 1, base + 2, base + 1000, base + 1001, base + 1002} {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no free ports for the demo")
	return 0
}
