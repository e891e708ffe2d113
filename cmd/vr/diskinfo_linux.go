package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// probeDisk describes the disk and the mount that hold dir.
func probeDisk(dir string) diskSetup {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return diskSetup{}
	}
	dev := strconv.FormatUint(uint64(unix.Major(st.Dev)), 10) + ":" + strconv.FormatUint(uint64(unix.Minor(st.Dev)), 10)
	path, err := filepath.Abs(dir)
	if err == nil {
		path, err = filepath.EvalSymlinks(path)
	}
	var d diskSetup
	if mountinfo, rerr := os.ReadFile("/proc/self/mountinfo"); err == nil && rerr == nil {
		var opts []string
		d.MountPoint, d.FSType, opts, _ = mountOf(string(mountinfo), dev, path)
		d.OnlineDiscard = slices.Contains(opts, "discard")
	}
	d.readQueue("/sys", dev)
	d.advise()
	return d
}
