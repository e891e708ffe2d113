package node

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSlowIterationIsTraced: with a tracer, a slow iteration writes the
// flight recorder's trace to a file named after what it handled (an
// execution trace: it begins "go 1."), a second one right after writes
// none (one every stallTraceEvery), and a fast one none either.
func TestSlowIterationIsTraced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traces")
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	tracer, err := startStallTracer(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	s := stallWatch{tracer: tracer}
	for range 2 {
		s.begin("checkpoint saved", 0)
		for start := time.Now(); time.Since(start) < 2*slowIteration; {
		}
		s.end(log, 0)
	}
	s.begin("tick", 0)
	s.end(log, 0)
	tracer.stop() // waits for the writing
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("%d trace files (%v), want 1; log: %s", len(files), files, buf.String())
	}
	if ok, _ := filepath.Match("slow-*-checkpoint-saved-*ms.trace", filepath.Base(files[0])); !ok {
		t.Errorf("trace file named %s", filepath.Base(files[0]))
	}
	b, err := os.ReadFile(files[0])
	if err != nil || !bytes.HasPrefix(b, []byte("go 1.")) || len(b) < 1024 {
		t.Fatalf("trace file of %d bytes beginning %q (%v): not an execution trace", len(b), b[:min(len(b), 16)], err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("slow loop iteration traced")) {
		t.Errorf("the log does not say where the trace went: %s", buf.String())
	}
}

// TestStallTracerNeedsItsDirectory: a directory that cannot be made is
// an error at start, not a silent loss of the traces.
func TestStallTracerNeedsItsDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if tr, err := startStallTracer(filepath.Join(file, "traces"), slog.New(slog.DiscardHandler)); err == nil {
		tr.stop()
		t.Fatal("a tracer started under a regular file")
	}
}
