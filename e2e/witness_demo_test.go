//go:build linux

package e2e

import (
	"context"
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
	base := freeDemoPorts(t, 24100, 3)
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
