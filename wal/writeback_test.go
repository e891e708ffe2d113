package wal

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// WriteBack works on the operating system's files, reports the
// kernel's refusal as an error naming the file, and does nothing for
// files of other kinds.
func TestWriteBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := OS.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := WriteBack(f, 0, 1<<20); err != nil {
		t.Fatalf("WriteBack of written bytes: %v", err)
	}
	err = WriteBack(f, -1, 1<<20)
	var pe *os.PathError
	if runtime.GOOS == "linux" && (!errors.As(err, &pe) || pe.Path != path) {
		t.Errorf("WriteBack at offset -1 = %v, want the kernel's refusal naming %s", err, path)
	}
	if err := WriteBack(nil, 0, 1); err != nil {
		t.Errorf("WriteBack of a file of no operating system = %v, want nil", err)
	}
}
