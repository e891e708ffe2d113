package main

import (
	"path/filepath"
	"testing"
)

// Every directory on Linux is on some mount: the probe must find it, and
// the mount point must hold the directory.
func TestProbeDiskFindsTheMountOfADirectory(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := probeDisk(dir)
	if d.FSType == "" || !within(dir, d.MountPoint) {
		t.Fatalf("probeDisk(%q) = %+v: no mount holding it", dir, d)
	}
	t.Logf("%s: %s", dir, d.describe())
}
