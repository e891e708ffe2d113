package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
)

// TestFetchedCheckpointInstalledByDriver: a replica that fetches a
// checkpoint hands every chunk to its driver and asks it to install the
// whole (Output.Install); it touches its state machine in no way until
// the driver reports it Installed, and then executes from there.
func TestFetchedCheckpointInstalledByDriver(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22)
	chunks, installs := 0, 0
	c.onOutput = func(i int, out core.Output) {
		if i != 2 {
			return
		}
		chunks += len(out.FetchChunks)
		if out.Install != nil {
			installs++
		}
	}
	c.ran = func(i int, in *core.Install) {
		if in.Err() != nil || c.info(i).Executed != 0 || len(c.sms[i].ops) == 0 {
			t.Fatalf("install ran: %v, executed %d, state of %d ops", in.Err(), c.info(i).Executed, len(c.sms[i].ops))
		}
	}
	c.start(2, true)
	c.tick(20)
	if got := c.info(2); got.Executed != 23 || installs != 1 || chunks < 2 {
		t.Fatalf("executed %d after %d installs of %d chunks", got.Executed, installs, chunks)
	}
	if c.sms[2].digest() != c.sms[0].digest() {
		t.Fatal("installed state differs")
	}
}

// TestInstallVerifiesBeforeRestore: an Install whose assembled bytes fail
// their checks leaves the state machine as it was, and the replica fetches
// again. The planted InstallUnverified (restore first) is caught.
func TestInstallVerifiesBeforeRestore(t *testing.T) {
	if changed := installOfCorruptChain(t, plant.Bugs{}); changed {
		t.Fatal("a checkpoint that fails its checks changed the state machine")
	}
	if changed := installOfCorruptChain(t, plant.Bugs{InstallUnverified: true}); !changed {
		t.Fatal("planted InstallUnverified not caught")
	}
}

// installOfCorruptChain fetches a checkpoint whose last byte (its CRC's)
// is flipped once, and reports whether the failed install changed the
// state machine; the refetch must then install it.
func installOfCorruptChain(t *testing.T, bugs plant.Bugs) (changed bool) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { checkpointEvery5(cfg); cfg.Plant(bugs) })
	runOps(c, 22)
	failed := false
	c.mangle = func(data []byte) []byte {
		if failed {
			return data
		}
		data[len(data)-1] ^= 1
		return data
	}
	c.ran = func(i int, in *core.Install) {
		if !failed {
			failed = true
			if in.Err() == nil {
				t.Fatal("a corrupt checkpoint installed")
			}
			changed = len(c.sms[i].ops) != 0
		}
	}
	defer func() {
		if p := recover(); p != nil && !changed {
			panic(p) // only the planted restore may panic (restored, then failed)
		}
	}()
	c.start(2, true)
	c.tick(40)
	if !failed || c.info(2).Executed != 23 || c.sms[2].digest() != c.sms[0].digest() {
		t.Fatalf("after a failed install: executed %d", c.info(2).Executed)
	}
	return changed
}
