package plant

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const self = "github.com/vr-go/vr/internal/plant"

// importers lists the packages (directories below the module root) whose
// non-test files import this package.
func importers(t *testing.T, root string) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == self {
				rel, _ := filepath.Rel(root, filepath.Dir(path))
				found[filepath.ToSlash(rel)] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// allowedImporter lists the packages that may import this one: those that
// read planted bugs (core, driver, wal, storage, kv) and the simulator.
var allowedImporter = map[string]bool{"core": true, "driver": true, "wal": true, "storage": true, "kv": true, "sim": true}

// TestOnlyCoreAndSimImportPlant keeps planted bugs out of production code:
// only the packages that read them and the simulator may import this
// package; node, transport, client, cmd/vr and the rest may not.
func TestOnlyCoreAndSimImportPlant(t *testing.T) {
	found := importers(t, "../..")
	for pkg := range found {
		if !allowedImporter[pkg] {
			t.Errorf("package %s imports %s: planted bugs must stay out of production code", pkg, self)
		}
	}
	if !found["core"] || !found["sim"] {
		t.Fatalf("the scan found importers %v, want core and sim among them: is the scan broken?", found)
	}
}
