package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// probeDisk describes the disk and the mount that hold dir.
func probeDisk(dir string) diskSetup {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return diskSetup{}
	}
	dev := fmt.Sprintf("%d:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev))) // Dev is 32 bits on some platforms
	var d diskSetup
	path, err := filepath.Abs(dir)
	if err == nil {
		path, err = filepath.EvalSymlinks(path)
	}
	mountinfo, rerr := os.ReadFile("/proc/self/mountinfo")
	if err == nil && rerr == nil {
		var opts []string
		d.MountPoint, d.FSType, opts, _ = mountOf(string(mountinfo), dev, path)
		d.OnlineDiscard = slices.Contains(opts, "discard")
	}
	d.readQueue("/sys", dev)
	d.advise()
	return d
}
