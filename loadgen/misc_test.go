package loadgen

import (
	"os"
	"testing"
	"time"
)

func TestKeyFormat(t *testing.T) {
	if got := string(Key(42, 8)); got != "00000042" {
		t.Fatalf("Key(42, 8) = %q", got)
	}
	if got := string(Key(99, 2)); got != "99" {
		t.Fatalf("Key(99, 2) = %q", got)
	}
}

func TestParseStatCPU(t *testing.T) {
	line := []byte("1234 (vr (server) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 9 0 1 2 3")
	d, err := parseStatCPU(line)
	if err != nil || d != 3800*time.Millisecond {
		t.Fatalf("got %v, %v; want 3.8s", d, err)
	}
	if _, err := parseStatCPU([]byte("1234 (x) S 1 2")); err == nil {
		t.Fatal("short line accepted")
	}
}

func TestProcessCPUOfSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	if _, err := ProcessCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
}
