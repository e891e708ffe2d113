package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A mountinfo of a machine with the root disk's partition at / (listed
// after a longer mount of the same device), a second
// disk at "/var/lib/vr data" (a space, escaped) and tmpfs at /dev/shm.
const sampleMountinfo = `22 27 0:21 / /proc rw,relatime - proc proc rw
30 27 0:25 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw,size=4096k
31 27 253:16 / /var/lib/vr\040data rw,noatime shared:7 - xfs /dev/vdb rw,attr2
32 27 253:1 /srv /var/lib/bound rw,relatime - ext4 /dev/vda1 rw,errors=remount-ro
27 1 253:1 / / rw,relatime - ext4 /dev/vda1 rw,discard,errors=remount-ro
`

func TestMountOfFindsTheMountHoldingThePath(t *testing.T) {
	cases := []struct {
		dev, path, point, fsType string
		discard, ok              bool
	}{
		{"253:1", "/home/me/vr", "/", "ext4", true, true},
		{"253:16", "/var/lib/vr data/replica-0", "/var/lib/vr data", "xfs", false, true},
		{"0:25", "/dev/shm", "/dev/shm", "tmpfs", false, true},
		{"253:1", "/var/lib/bound/x", "/var/lib/bound", "ext4", false, true}, // the longer of the device's two mounts
		{"253:1", "/var/lib/boundless", "/", "ext4", true, true},             // a prefix of the name is not a parent
		{"253:99", "/anything", "", "", false, false},
	}
	for _, c := range cases {
		point, fsType, opts, ok := mountOf(sampleMountinfo, c.dev, c.path)
		if point != c.point || fsType != c.fsType || ok != c.ok || slices.Contains(opts, "discard") != c.discard {
			t.Errorf("mountOf(%s, %q) = %q, %q, %v, %v; want %q, %q, discard %v, %v",
				c.dev, c.path, point, fsType, opts, ok, c.point, c.fsType, c.discard, c.ok)
		}
	}
}

// fakeSys makes a sysfs under a temporary root with one disk, vda
// (253:0), its partition vda1 (253:1), and a device with no queue.
func fakeSys(t *testing.T, scheduler string) string {
	t.Helper()
	root := t.TempDir()
	disk := filepath.Join(root, "devices", "pci0000:00", "virtio1", "block", "vda")
	for _, d := range []string{filepath.Join(disk, "queue"), filepath.Join(disk, "vda1"), filepath.Join(root, "devices", "virtual", "odd"), filepath.Join(root, "dev", "block")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(disk, "queue", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("scheduler", scheduler+"\n")
	write("write_cache", "write back\n")
	for dev, target := range map[string]string{"253:0": disk, "253:1": filepath.Join(disk, "vda1"), "7:0": filepath.Join(root, "devices", "virtual", "odd")} {
		if err := os.Symlink(target, filepath.Join(root, "dev", "block", dev)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestReadQueueFollowsAPartitionToItsDisk(t *testing.T) {
	root := fakeSys(t, "none [bfq] mq-deadline")
	for _, dev := range []string{"253:0", "253:1"} {
		var d diskSetup
		d.readQueue(root, dev)
		if d.Device != "vda" || d.Scheduler != "bfq" || d.WriteCache != "write back" {
			t.Errorf("readQueue(%s) = %+v, want vda, bfq, write back", dev, d)
		}
	}
	for _, dev := range []string{"7:0", "8:0"} { // no queue; no such device
		var d diskSetup
		if d.readQueue(root, dev); d.Device != "" || d.Scheduler != "" || d.WriteCache != "" {
			t.Errorf("readQueue(%s) = %+v, want nothing", dev, d)
		}
	}
}

func TestActiveScheduler(t *testing.T) {
	for in, want := range map[string]string{"none [mq-deadline] kyber bfq": "mq-deadline", "[none] bfq": "none", "none": "none", "": "", "a b": ""} {
		if got := activeScheduler(in); got != want {
			t.Errorf("activeScheduler(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiskSetupAdvice(t *testing.T) {
	cases := []struct {
		d    diskSetup
		want []string
	}{
		{diskSetup{Device: "vda", Scheduler: "mq-deadline", FSType: "ext4"}, nil},
		{diskSetup{Device: "vda", Scheduler: "bfq", FSType: "ext4", OnlineDiscard: true}, []string{adviceBFQ, adviceDiscard}},
		{diskSetup{FSType: "tmpfs"}, []string{adviceTmpfs}},
	}
	for _, c := range cases {
		c.d.advise()
		if !slices.Equal(c.d.Advice, c.want) {
			t.Errorf("advice for %+v = %q, want %q", c.d, c.d.Advice, c.want)
		}
	}
}

func TestDiskCheckPrintsTheDiskAndItsAdvice(t *testing.T) {
	d := diskSetup{Device: "vda", Scheduler: "bfq", WriteCache: "write back", FSType: "ext4", MountPoint: "/", OnlineDiscard: true}
	d.advise()
	var out bytes.Buffer
	if err := (diskReport{Syncs: 1, Disk: d}).print(&out, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  disk        vda, I/O scheduler bfq, write cache write back; ext4 on / with online discard\n",
		"  advice      " + adviceBFQ + "\n",
		"  advice      " + adviceDiscard + "\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := (diskReport{Syncs: 1}).print(&out, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "disk  ") || strings.Contains(out.String(), "advice") {
		t.Errorf("a report with nothing known of the disk names it:\n%s", out.String())
	}
}
