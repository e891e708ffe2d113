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

func TestParseStatusKB(t *testing.T) {
	status := []byte("Name:\tvr\nVmPeak:\t  900 kB\nVmHWM:\t  1536 kB\nVmRSS:\t 1024 kB\n")
	if n, err := parseStatusKB(status, "VmHWM:"); err != nil || n != 1536<<10 {
		t.Fatalf("VmHWM = %d, %v; want %d", n, err, 1536<<10)
	}
	if _, err := parseStatusKB(status, "VmSwap:"); err == nil {
		t.Fatal("missing field accepted")
	}
	if _, err := parseStatusKB([]byte("VmHWM:\t12 pages\n"), "VmHWM:"); err == nil {
		t.Fatal("wrong unit accepted")
	}
}

func TestProcessPeakRSSOfSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	before, err := ProcessPeakRSS(os.Getpid())
	if err != nil || before <= 0 {
		t.Fatalf("peak RSS %d, %v", before, err)
	}
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1
	}
	after, err := ProcessPeakRSS(os.Getpid())
	if err != nil || after < before+32<<20 {
		t.Fatalf("peak RSS %d after touching 64 MiB, was %d (%v)", after, before, err)
	}
	_ = b[len(b)-1]
}
