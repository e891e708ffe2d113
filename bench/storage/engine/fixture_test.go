package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vr-go/vr/bench/storage/pebblekv"
)

// benchDir holds the benchmarks' Pebble databases and checkpoints.
var benchDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "storage-bench-")
	if err != nil {
		panic(err)
	}
	benchDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The benchmark sizes.
var sizes = []struct {
	name string
	n    int
}{{"100k", 100_000}, {"1M", 1_000_000}}

// loadSeed seeds the values of every loaded fixture.
const loadSeed = 1

// fixtures caches loaded engines by name and size: loading a million keys
// takes seconds, so the benchmarks share them (and drift them with writes
// that overwrite existing keys).
var fixtures = struct {
	sync.Mutex
	m map[string]Engine
}{m: map[string]Engine{}}

// fixture returns the shared engine of the name holding n keys.
func fixture(tb testing.TB, name string, n int) Engine {
	fixtures.Lock()
	defer fixtures.Unlock()
	id := fmt.Sprintf("%s-%d", name, n)
	if e, ok := fixtures.m[id]; ok {
		return e
	}
	e := newEngine(tb, name, filepath.Join(benchDir, id))
	Load(e, n, loadSeed)
	fixtures.m[id] = e
	return e
}

// newEngine returns an empty engine of the name; a Pebble one in dir.
func newEngine(tb testing.TB, name, dir string) Engine {
	if name == "kv" {
		return NewMem()
	}
	p, err := OpenPebble(dir, pebblekv.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// restore opens the checkpoint in dir with the engine of the name.
func restore(tb testing.TB, name, dir string) Engine {
	var e Engine
	var err error
	if name == "kv" {
		e, err = RestoreMem(dir)
	} else {
		e, err = OpenPebble(dir, pebblekv.Options{})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

var engines = []string{"kv", "pebble"}
