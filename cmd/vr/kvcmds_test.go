package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/kv"
)

// runVR runs the vr command with stdin and returns its output (with the
// error main would print) and the exit code main would use.
func runVR(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	if err != nil {
		out.WriteString("vr: " + err.Error())
	}
	return out.String(), exitCode(err)
}

// TestKVCommandsExitCodes runs the key-value commands against a real
// cluster: one test per documented exit code, and values from stdin and
// from a file.
func TestKVCommandsExitCodes(t *testing.T) {
	c, err := testcluster.Start(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	t.Setenv("VR_CLUSTER", strings.Join(c.Addrs, ","))
	file := filepath.Join(t.TempDir(), "value")
	big := strings.Repeat("v", 300<<10) // above any shell's single-argument limit
	if err := os.WriteFile(file, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"", []string{"put", "k", "v1"}, exitOK, "OK version=1"},
		{"", []string{"get", "k"}, exitOK, "v1"},
		{"", []string{"get", "missing"}, exitNegative, "not found"},
		{"", []string{"cas", "k", "7", "x"}, exitNegative, "current version is 1"},
		{"", []string{"del", "missing"}, exitNegative, "not found"},
		{"from stdin", []string{"put", "k", "-"}, exitOK, "OK version=2"},
		{"", []string{"get", "k"}, exitOK, "from stdin"},
		{"", []string{"cas", "k", "2", "--value-file", file}, exitOK, "OK version=3"},
		{"", []string{"scan", "--prefix", "k"}, exitOK, "version=3"},
		{"", []string{"del", "k"}, exitOK, "OK"},
	}
	for _, s := range steps {
		out, code := runVR(t, s.stdin, s.args...)
		if code != s.code || !strings.Contains(out, s.out) {
			t.Fatalf("vr %s: exit %d, output %.200q; want exit %d and %q", strings.Join(s.args, " "), code, out, s.code, s.out)
		}
	}
	out, code := runVR(t, "", "put", "k", "--value-file", file)
	if code != exitOK {
		t.Fatalf("put --value-file: exit %d: %s", code, out)
	}
	if out, _ := runVR(t, "", "get", "k"); strings.TrimSpace(out) != big {
		t.Fatalf("get after put --value-file returned %d bytes, want %d", len(strings.TrimSpace(out)), len(big))
	}
}

// TestKVCommandsUnreachableExit3 checks that a cluster that refuses
// connections is exit 3, as the README promises.
func TestKVCommandsUnreachableExit3(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, args := range [][]string{{"get", "x"}, {"put", "x", "y"}, {"del", "x"}, {"scan"}} {
		out, code := runVR(t, "", append(args, "--cluster", addr, "--timeout", "3s")...)
		if code != exitUnavailable {
			t.Errorf("vr %s against a closed port: exit %d (%s), want %d", args[0], code, strings.TrimSpace(out), exitUnavailable)
		}
	}
}

// TestKVCommandsCheckInputBeforeDialing checks that bad arguments exit 2
// without opening a connection: the listener must see none.
func TestKVCommandsCheckInputBeforeDialing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	huge := filepath.Join(t.TempDir(), "huge")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("x"), kv.DefaultMaxValue+1), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"put", "", "x"},
		{"get", ""},
		{"del", strings.Repeat("k", kv.DefaultMaxKey+1)},
		{"put", "k"},
		{"put", "k", "v", "--value-file", huge},
		{"put", "k", "--value-file", huge},
		{"put", "k", "--value-file", filepath.Join(t.TempDir(), "absent")},
		{"cas", "k", "one", "v"},
		{"scan", "--limit", "100000"},
		{"get", "a", "b"},
	}
	for _, args := range cases {
		out, code := runVR(t, "", append(args, "--cluster", l.Addr().String())...)
		if code != exitUsage {
			t.Errorf("vr %q: exit %d (%s), want %d", args, code, strings.TrimSpace(out), exitUsage)
		}
	}
	if err := l.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if conn, err := l.Accept(); err == nil {
		conn.Close()
		t.Fatal("a command with bad arguments dialed the cluster")
	}
}
