package wal

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomicReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{"first version", "second"} {
		if err := WriteFileAtomic(OS, dir, "f", []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "f"))
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
	if err := WriteFileAtomic(OS, filepath.Join(dir, "missing"), "f", nil); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}
