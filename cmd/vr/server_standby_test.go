package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

// joinerFlags are good flags of a joiner with id 5.
func joinerFlags() serverFlags {
	return serverFlags{index: -1, id: 5, join: true, listen: "127.0.0.1:8005", cluster: "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002",
		sync: "sync", tick: 10e6, heartbeat: 50e6, viewTO: 500e6, retry: 100e6, checkpointInterval: 100, maxClockDrift: 0.01,
		segmentSize: 1 << 20, checkpointBytes: 8 << 20, maxMessageBytes: 32 << 20, memoryLimit: "auto"}
}

// TestServerFlagsJoinRoles: --join --standby and --join --witness set the
// joiner's role; --standby without --join, and both roles at once, are
// refused.
func TestServerFlagsJoinRoles(t *testing.T) {
	f := joinerFlags()
	f.standby = true
	cfg, err := f.nodeConfig(nil)
	if err != nil || !cfg.Join || !cfg.JoinStandby || cfg.IsWitness() {
		t.Fatalf("--join --standby: %+v, %v", cfg, err)
	}
	f.standby, f.witness = false, true
	if cfg, err = f.nodeConfig(nil); err != nil || !cfg.IsWitness() || cfg.JoinStandby {
		t.Fatalf("--join --witness: witness %v, %v", cfg.IsWitness(), err)
	}
	f.standby = true
	if _, err := f.nodeConfig(nil); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("--witness --standby: %v", err)
	}
	g := serverFlags{index: 0, cluster: "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002", standby: true}
	if _, err := g.nodeConfig(nil); err == nil || !strings.Contains(err.Error(), "--standby needs --join") {
		t.Errorf("--standby without --join: %v", err)
	}
}

// TestStandbyRequest: the request a standby joiner sends adds it as a
// standby at its address to the configuration it learned, is not sent
// when the configuration names it already (any role), and the command
// printed without a secret is the vr reconfigure that adds it.
func TestStandbyRequest(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"}}
	next, err := withStandby(cur, 5, "e:1")
	if err != nil || describeConfig(next) != "0=a:1 1=b:1 2=c:1 5=e:1(standby)" || len(cur) != 3 {
		t.Fatalf("with standby 5: %s, %v", describeConfig(next), err)
	}
	if _, err := withStandby(next, 5, "e:1"); !errors.Is(err, errNamed) || !strings.Contains(err.Error(), "standby") {
		t.Errorf("named already: %v", err)
	}
	next[3].Role = roleFull
	if _, err := withStandby(next, 5, "e:1"); !errors.Is(err, errNamed) || !strings.Contains(err.Error(), "full replica") {
		t.Errorf("named a full replica: %v", err)
	}
	f := joinerFlags()
	q := standbyRequest{id: 5, addr: f.advertised(), peers: standbyPeers([]string{"a:1", "b:1", "", "", "", "e:1"}, 5)}
	want := "vr reconfigure --cluster a:1,b:1 --admin-secret-file ADMIN_SECRET_FILE --add-standby 5=127.0.0.1:8005"
	if got := q.command(""); got != want {
		t.Errorf("command:\n got %s\nwant %s", got, want)
	}
	if !retryable(message.RefuseStaleEpoch) || retryable(message.RefuseUnauthorized) || retryable(message.RefuseReusedID) {
		t.Error("retryable refusals")
	}
}

// TestServerFlagsAdvertise: a joiner listening on 0.0.0.0 gives peers and
// clients its --advertise address (Peers[id], the standby's request) and
// listens on --listen; a member's --advertise must be its --cluster entry.
func TestServerFlagsAdvertise(t *testing.T) {
	f := joinerFlags()
	f.listen, f.advertise = "0.0.0.0:8005", "10.1.2.3:8005"
	cfg, err := f.nodeConfig(nil)
	if err != nil || cfg.Peers[5] != "10.1.2.3:8005" || cfg.Listen != "0.0.0.0:8005" || f.advertised() != "10.1.2.3:8005" {
		t.Fatalf("joiner: peers %q listen %q advertised %q, %v", cfg.Peers, cfg.Listen, f.advertised(), err)
	}
	f.advertise = "nope"
	if _, err := f.nodeConfig(nil); err == nil || !strings.Contains(err.Error(), "--advertise") {
		t.Errorf("bad --advertise: %v", err)
	}
	m := serverFlags{index: 1, cluster: "10.0.0.1:8000,10.0.0.2:8000,10.0.0.3:8000", listen: "0.0.0.0:8000", sync: "sync",
		tick: 10e6, heartbeat: 50e6, viewTO: 500e6, retry: 100e6, checkpointInterval: 100, maxClockDrift: 0.01, segmentSize: 1 << 20,
		checkpointBytes: 8 << 20, maxMessageBytes: 32 << 20, memoryLimit: "auto", advertise: "10.0.0.2:8000"}
	if cfg, err := m.nodeConfig(nil); err != nil || cfg.Listen != "0.0.0.0:8000" {
		t.Fatalf("member advertising its --cluster entry: listen %q, %v", cfg.Listen, err)
	}
	m.advertise = "10.9.9.9:8000"
	if _, err := m.nodeConfig(nil); err == nil || !strings.Contains(err.Error(), "differs from this replica's --cluster address") {
		t.Errorf("member advertising another address: %v", err)
	}
}
