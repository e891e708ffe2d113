package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vr-go/vr/client"
)

func TestServerFlagsRejectBadInput(t *testing.T) {
	good := serverFlags{index: 0, cluster: "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002", sync: "sync",
		tick: 10e6, heartbeat: 50e6, viewTO: 500e6, retry: 100e6, checkpointInterval: 100, maxClockDrift: 0.01, segmentSize: 1 << 20,
		checkpointBytes: 8 << 20, maxMessageBytes: 32 << 20, memoryLimit: "auto"}
	if _, err := good.nodeConfig(nil); err != nil {
		t.Fatalf("good flags rejected: %v", err)
	}
	traced := good
	traced.slowTraceDir = "/var/tmp/vr-traces"
	if cfg, err := traced.nodeConfig(nil); err != nil || cfg.SlowTraceDir != traced.slowTraceDir {
		t.Fatalf("--slow-trace-dir %q gave SlowTraceDir %q (%v)", traced.slowTraceDir, cfg.SlowTraceDir, err)
	}
	cases := []struct {
		name string
		edit func(*serverFlags)
		want string
	}{
		{"even cluster", func(f *serverFlags) { f.cluster = "127.0.0.1:8000,127.0.0.1:8001" }, "2f+1"},
		{"index out of range", func(f *serverFlags) { f.index = 3 }, "out of range"},
		{"negative index", func(f *serverFlags) { f.index = -1 }, "out of range"},
		{"bad address", func(f *serverFlags) { f.cluster = "127.0.0.1,127.0.0.1:8001,127.0.0.1:8002" }, "bad address"},
		{"bad port", func(f *serverFlags) { f.cluster = "127.0.0.1:99999,127.0.0.1:8001,127.0.0.1:8002" }, "port"},
		{"duplicate address", func(f *serverFlags) { f.cluster = "127.0.0.1:8000,127.0.0.1:8000,127.0.0.1:8002" }, "twice"},
		{"empty cluster", func(f *serverFlags) { f.cluster = "" }, "no cluster"},
		{"timeout below heartbeat", func(f *serverFlags) { f.viewTO = f.heartbeat }, "must exceed"},
		{"bad memory limit", func(f *serverFlags) { f.memoryLimit = "lots" }, "--memory-limit"},
		{"negative base rate", func(f *serverFlags) { f.baseRate = -1 }, "--checkpoint-base-rate"},
		{"bad listen", func(f *serverFlags) { f.listen = "nope" }, "listen"},
		{"bad sync mode", func(f *serverFlags) { f.sync = "sometimes" }, "--sync"},
		{"async without data dir", func(f *serverFlags) { f.sync = "async" }, "--data-dir"},
		{"zero checkpoint interval", func(f *serverFlags) { f.checkpointInterval = 0 }, "--checkpoint-interval"},
		{"huge clock drift", func(f *serverFlags) { f.maxClockDrift = 0.7 }, "--max-clock-drift"},
		{"tiny segments", func(f *serverFlags) { f.segmentSize = 100 }, "--segment-size"},
		{"zero checkpoint bytes", func(f *serverFlags) { f.checkpointBytes = 0 }, "--checkpoint-bytes"},
		{"checkpoint bytes too large", func(f *serverFlags) { f.checkpointBytes = 15 << 20 }, "checkpoint bytes"},
		{"message above half the frame", func(f *serverFlags) { f.maxMessageBytes = 48 << 20 }, "max message bytes"},
		{"witness not listed", func(f *serverFlags) { f.witness = true }, "not in --witnesses"},
		{"listed but no --witness", func(f *serverFlags) { f.witnesses = "0" }, "start it with --witness"},
		{"witness index out of range", func(f *serverFlags) { f.witnesses = "3" }, "not a replica index"},
		{"witness twice", func(f *serverFlags) { f.witnesses = "1,1" }, "twice"},
		{"more than f witnesses", func(f *serverFlags) { f.witnesses = "1,2" }, "at most f"},
		{"unknown engine", func(f *serverFlags) { f.engine.engine = "rocks" }, "bad --engine"},
		{"pebble without data dir", func(f *serverFlags) { f.engine.engine = enginePebble }, "needs --data-dir"},
		{"pebble cache too small", func(f *serverFlags) {
			f.engine = engineFlags{engine: enginePebble, pebbleCache: 4096}
			f.dataDir = "/var/tmp/vr"
		}, "--pebble-cache-bytes"},
	}
	for _, c := range cases {
		f := good
		c.edit(&f)
		_, err := f.nodeConfig(nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{usageError{errors.New("x")}, exitUsage},
		{client.ErrNotFound, exitNegative},
		{&client.CASError{Current: 3}, exitNegative},
		{client.ErrSessionEvicted, exitUnavailable},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestEnvironmentSetsUnsetFlags(t *testing.T) {
	t.Setenv("VR_INDEX", "2")
	t.Setenv("VR_CLUSTER", "a:1,b:2,c:3")
	cmd := newServerCmd()
	if err := cmd.Flags().Parse([]string{"--cluster", "x:1,y:2,z:3"}); err != nil {
		t.Fatal(err)
	}
	if err := bindEnv(cmd); err != nil {
		t.Fatal(err)
	}
	idx, _ := cmd.Flags().GetInt("index")
	cl, _ := cmd.Flags().GetString("cluster")
	if idx != 2 || cl != "x:1,y:2,z:3" {
		t.Fatalf("index %d cluster %q: env must fill unset flags only", idx, cl)
	}
	t.Setenv("VR_TICK", "soon")
	if err := bindEnv(newServerCmd()); err == nil || !strings.Contains(err.Error(), "VR_TICK") {
		t.Fatalf("bad env value: %v", err)
	}
}

// TestServerFlagsWitness: a replica listed in --witnesses and started with
// --witness runs as a witness; the others are full replicas of the same
// configuration.
func TestServerFlagsWitness(t *testing.T) {
	f := serverFlags{index: 2, cluster: "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002", sync: "sync",
		tick: 10e6, heartbeat: 50e6, viewTO: 500e6, retry: 100e6, checkpointInterval: 100, maxClockDrift: 0.01, segmentSize: 1 << 20,
		checkpointBytes: 8 << 20, maxMessageBytes: 32 << 20, witnesses: "2", witness: true, memoryLimit: "auto"}
	cfg, err := f.nodeConfig(nil)
	if err != nil || !cfg.IsWitness() {
		t.Fatalf("witness flags: witness %v, %v", cfg.IsWitness(), err)
	}
	f.index, f.witness = 0, false
	if cfg, err = f.nodeConfig(nil); err != nil || cfg.IsWitness() || len(cfg.Witnesses) != 1 {
		t.Fatalf("full replica of a cluster with a witness: %+v, %v", cfg.Witnesses, err)
	}
}

// TestServerFlagsEngine: the memory engine leaves the node's default state
// machine; the pebble engine opens its working copy inside --data-dir.
func TestServerFlagsEngine(t *testing.T) {
	f := serverFlags{index: 0, cluster: "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002", sync: "sync",
		tick: 10e6, heartbeat: 50e6, viewTO: 500e6, retry: 100e6, checkpointInterval: 100, maxClockDrift: 0.01, segmentSize: 1 << 20,
		checkpointBytes: 8 << 20, maxMessageBytes: 32 << 20, memoryLimit: "auto", engine: engineFlags{engine: engineMemory}}
	if cfg, err := f.nodeConfig(nil); err != nil || cfg.OpenStateMachine != nil {
		t.Fatalf("memory engine: OpenStateMachine set %v, err %v", cfg.OpenStateMachine != nil, err)
	}
	f.dataDir = t.TempDir()
	f.engine = engineFlags{engine: enginePebble, pebbleCache: 8 << 20}
	cfg, err := f.nodeConfig(nil)
	if err != nil || cfg.OpenStateMachine == nil {
		t.Fatalf("pebble engine: OpenStateMachine set %v, err %v", cfg.OpenStateMachine != nil, err)
	}
	sm, err := cfg.OpenStateMachine()
	if err != nil {
		t.Fatalf("open the pebble state machine: %v", err)
	}
	if c, ok := sm.(interface{ Close() error }); ok {
		defer c.Close()
	}
	if _, err := os.Stat(filepath.Join(f.dataDir, pebbleDirName)); err != nil {
		t.Fatalf("the working copy is not in --data-dir: %v", err)
	}
	f.witness, f.witnesses = true, "0"
	if _, err := f.nodeConfig(nil); err == nil || !strings.Contains(err.Error(), "holds no state") {
		t.Fatalf("a pebble witness was accepted: %v", err)
	}
}
