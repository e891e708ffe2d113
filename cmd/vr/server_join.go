package main

import (
	"cmp"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/node"
)

// joinPeers parses a joiner's --cluster: the members it knows, each as
// id=host:port, or as host:port for the i-th replica of epoch 0 (whose ids
// are their positions). It returns the addresses by id, with the
// joiner's own (its --listen) at its id.
func joinPeers(list string, id int, listen string) ([]string, error) {
	if id < 0 || id >= message.MaxMembers {
		return nil, fmt.Errorf("--join needs --id in 0..%d (an id no replica of the cluster ever had)", message.MaxMembers-1)
	}
	if listen == "" {
		return nil, fmt.Errorf("--join needs --listen: the address the new replica listens on, as given to vr reconfigure --add %d=ADDR", id)
	}
	byID := map[int]string{id: listen}
	for i, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, addr := i, item
		if before, after, ok := strings.Cut(item, "="); ok {
			n, err := strconv.Atoi(before)
			if err != nil || n < 0 || n >= message.MaxMembers {
				return nil, fmt.Errorf("bad --cluster entry %q: want id=host:port", item)
			}
			k, addr = n, after
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("bad --cluster entry %q: %v", item, err)
		}
		if k == id {
			return nil, fmt.Errorf("--cluster names id %d, the joiner's own id", id)
		}
		byID[k] = addr
	}
	if len(byID) < 2 {
		return nil, fmt.Errorf("--join needs --cluster: the address of at least one member")
	}
	maxID := 0
	for k := range byID {
		maxID = max(maxID, k)
	}
	peers := make([]string, maxID+1)
	for k, a := range byID {
		peers[k] = a
	}
	return peers, nil
}

// joinConfig is nodeConfig for --join: a replica that is a member of no
// configuration yet.
func (f serverFlags) joinConfig(cfg node.Config) (node.Config, error) {
	if f.witnesses != "" {
		return cfg, fmt.Errorf("--join: --witnesses does not apply (the reconfiguration that adds the joiner names its role; start a witness with --join --witness)")
	}
	if f.witness && f.standby {
		return cfg, fmt.Errorf("--join: a joiner is a --witness or a --standby, not both")
	}
	if f.newCluster {
		return cfg, fmt.Errorf("--join and --new-cluster exclude each other: a joiner joins a running cluster")
	}
	if f.listen == "" {
		return cfg, fmt.Errorf("--join needs --listen: the address the new replica listens on, as given to vr reconfigure --add %d=ADDR", f.id)
	}
	peers, err := joinPeers(f.cluster, f.id, f.advertised())
	if err != nil {
		return cfg, err
	}
	cfg.Join, cfg.Index, cfg.Peers, cfg.Listen = true, f.id, peers, ""
	if f.advertise != "" {
		cfg.Listen = f.listen // Peers[id] is the advertised address
	}
	cfg.JoinWitness, cfg.JoinStandby = f.witness, f.standby
	return cfg, nil
}

// adminSecret reads --admin-secret-file, if given.
func (f serverFlags) adminSecret() ([]byte, error) {
	if f.adminSecretFile == "" {
		return nil, nil
	}
	return auth.LoadAdminSecret(f.adminSecretFile)
}

// advertised is the address this replica gives peers and clients for
// itself: --advertise, else its --listen.
func (f serverFlags) advertised() string { return cmp.Or(f.advertise, f.listen) }

// checkAdvertise checks --advertise: host:port, and for a member of epoch
// 0 its --cluster entry (which is what the others and clients are given:
// a replica cannot advertise another address for itself than the one its
// peers dial).
func (f serverFlags) checkAdvertise(cfg node.Config) error {
	if f.advertise == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(f.advertise); err != nil {
		return fmt.Errorf("bad --advertise %q: %v", f.advertise, err)
	}
	if !f.join && cfg.Peers[cfg.Index] != f.advertise {
		return fmt.Errorf("--advertise %s differs from this replica's --cluster address %s: peers and clients are given the --cluster list (drop --advertise, or fix --cluster)",
			f.advertise, cfg.Peers[cfg.Index])
	}
	return nil
}
