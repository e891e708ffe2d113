package core_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImport reports why a core file may not import path, or "".
// Package io is allowed: it holds the interfaces (io.Writer, io.Reader)
// through which a checkpoint's bytes are streamed by the driver, off the
// step; a step reads only bytes already in memory (an assembled fetch),
// and New reads the restart checkpoint the driver opens (restart.go).
func forbiddenImport(path string) string {
	banned := map[string]string{
		"net": "I/O", "os": "I/O", "syscall": "I/O", "log": "side effects",
		"log/slog": "side effects", "time": "clock", "sync": "concurrency",
		"sync/atomic": "concurrency", "math/rand": "global randomness",
		"math/rand/v2": "global randomness", "crypto/rand": "randomness", "unsafe": "purity",
	}
	if why, ok := banned[path]; ok {
		return why
	}
	for _, prefix := range []string{"net/", "os/", "io/", "runtime"} {
		if strings.HasPrefix(path, prefix) {
			return "I/O or runtime"
		}
	}
	if strings.Contains(path, ".") && path != "github.com/vr-go/vr/message" && path != "github.com/vr-go/vr/internal/plant" {
		return "dependency"
	}
	return ""
}

// TestCoreIsPure proves from its import list that the protocol core has no
// clock, goroutine primitives, randomness, I/O or dependencies. It also
// rejects the go statement.
func TestCoreIsPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		checked++
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if why := forbiddenImport(path); why != "" {
				t.Errorf("%s imports %q (%s)", name, path, why)
			}
		}
		if strings.Contains(string(src), "go func") {
			t.Errorf("%s starts a goroutine", name)
		}
	}
	if checked < 5 {
		t.Fatalf("only %d core files checked", checked)
	}
}

func TestForbiddenImportRule(t *testing.T) {
	for _, bad := range []string{"time", "net", "net/http", "os", "sync", "math/rand", "math/rand/v2", "github.com/x/y"} {
		if forbiddenImport(bad) == "" {
			t.Errorf("%q allowed", bad)
		}
	}
	for _, ok := range []string{"fmt", "slices", "errors", "github.com/vr-go/vr/message"} {
		if why := forbiddenImport(ok); why != "" {
			t.Errorf("%q rejected: %s", ok, why)
		}
	}
}
