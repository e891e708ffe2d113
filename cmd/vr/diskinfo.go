package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// diskSetup is what disk-check can tell about the disk under its directory
// and how it is mounted: read from /proc/self/mountinfo and sysfs on Linux,
// empty elsewhere or where it is not found (a file system with no block
// device, such as tmpfs, has no device, scheduler nor write cache).
type diskSetup struct {
	Device        string   `json:"device,omitempty"`
	Scheduler     string   `json:"io_scheduler,omitempty"`
	WriteCache    string   `json:"write_cache,omitempty"`
	FSType        string   `json:"fs_type,omitempty"`
	MountPoint    string   `json:"mount_point,omitempty"`
	OnlineDiscard bool     `json:"online_discard,omitempty"`
	Advice        []string `json:"advice,omitempty"`
}

// The advice disk-check gives about a disk's setup, each from this
// project's measurements (docs/benchmarks.md, twentieth session: three
// durable replicas on one virtio disk, 1M keys of 1 KiB, 64 clients,
// alternating 120-s runs).
const (
	adviceBFQ = "I/O scheduler bfq: with three durable replicas on one disk it doubled the write p99 " +
		"against mq-deadline (48-49 ms against 24-25 ms); mq-deadline, kyber and none measured alike"
	adviceDiscard = "mounted with online discard: the blocks of removed checkpoint files are trimmed as they are freed; " +
		"mounted nodiscard (with a periodic fstrim instead) the same load had 60-70 seconds with p99 over 20 ms of 120 against 68-77"
	adviceTmpfs = "tmpfs: its syncs write nothing, so a replica whose data directory is here does not survive " +
		"the machine's restart (the node then skips the syncs and the log's prepared segments)"
)

// advise fills d.Advice from the rest of d.
func (d *diskSetup) advise() {
	d.Advice = nil
	if d.Scheduler == "bfq" {
		d.Advice = append(d.Advice, adviceBFQ)
	}
	if d.OnlineDiscard {
		d.Advice = append(d.Advice, adviceDiscard)
	}
	if d.FSType == "tmpfs" {
		d.Advice = append(d.Advice, adviceTmpfs)
	}
}

// describe is the report's one-line account of d, or "" if nothing is
// known.
func (d diskSetup) describe() string {
	var parts []string
	if d.Device != "" {
		dev := d.Device
		if d.Scheduler != "" {
			dev += ", I/O scheduler " + d.Scheduler
		}
		if d.WriteCache != "" {
			dev += ", write cache " + d.WriteCache
		}
		parts = append(parts, dev)
	}
	if d.FSType != "" {
		fs := d.FSType + " on " + d.MountPoint
		if d.OnlineDiscard {
			fs += " with online discard"
		}
		parts = append(parts, fs)
	}
	return strings.Join(parts, "; ")
}

// mountOf finds, in the text of a /proc/PID/mountinfo file, the mount of
// the device dev ("major:minor") that holds path: of that device's
// mounts, the one with the longest mount point that is path or one of
// its parents. It returns the mount point, the file system type, and the
// mount's options with its super block's.
func mountOf(mountinfo, dev, path string) (point, fsType string, opts []string, ok bool) {
	for line := range strings.Lines(mountinfo) {
		f := strings.Fields(line)
		sep := slices.Index(f, "-")
		if sep < 6 || len(f) < sep+4 || f[2] != dev {
			continue
		}
		p := unescapeMount(f[4])
		if !within(path, p) || (ok && len(p) <= len(point)) {
			continue
		}
		point, fsType, ok = p, f[sep+1], true
		opts = append(strings.Split(f[5], ","), strings.Split(f[sep+3], ",")...)
	}
	return point, fsType, opts, ok
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// unescapeMount undoes mountinfo's octal escapes of a path's space, tab,
// newline and backslash.
func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// readQueue fills d's device, scheduler and write cache from sysfs under
// root ("/sys"): dev/block/<dev> links to the block device, or to a
// partition whose parent holds the queue.
func (d *diskSetup) readQueue(root, dev string) {
	target, err := filepath.EvalSymlinks(filepath.Join(root, "dev", "block", dev))
	if err != nil {
		return
	}
	if _, err := os.Stat(filepath.Join(target, "queue")); err != nil {
		target = filepath.Dir(target) // a partition: its disk has the queue
	}
	queue := filepath.Join(target, "queue")
	if _, err := os.Stat(queue); err != nil {
		return
	}
	d.Device = filepath.Base(target)
	d.Scheduler = activeScheduler(readTrimmed(filepath.Join(queue, "scheduler")))
	d.WriteCache = readTrimmed(filepath.Join(queue, "write_cache"))
}

// activeScheduler returns the bracketed entry of a queue's scheduler file
// ("none [mq-deadline] kyber bfq"), or the file's one word.
func activeScheduler(s string) string {
	for w := range strings.FieldsSeq(s) {
		if strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]") {
			return strings.Trim(w, "[]")
		}
	}
	if f := strings.Fields(s); len(f) == 1 {
		return f[0]
	}
	return ""
}

// readTrimmed returns the file's content without surrounding space, or ""
// if it cannot be read.
func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
