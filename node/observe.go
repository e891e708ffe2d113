package node

import (
	"context"
	"log/slog"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Status is what the status endpoint reports about a replica.
type Status struct {
	Index          int    `json:"index"`
	Address        string `json:"address"`
	View           uint64 `json:"view"`
	Status         string `json:"status"`
	Primary        int    `json:"primary"`
	IsPrimary      bool   `json:"is_primary"`
	OpNumber       uint64 `json:"op_number"`
	CommitNumber   uint64 `json:"commit_number"`
	Executed       uint64 `json:"executed"`
	LastNormalView uint64 `json:"last_normal_view"`
	// LogBase: ops at or below it left the log for a checkpoint.
	LogBase uint64 `json:"log_base"`
	// CheckpointOp is the op of the newest checkpoint saved (durable in
	// durable mode) and served to peers (0: none).
	CheckpointOp uint64 `json:"checkpoint_op"`
	// LeaseReads counts reads this replica answered under its read lease.
	LeaseReads uint64 `json:"lease_reads"`
	// ViewChanges counts the view changes this replica started or joined
	// since its process started.
	ViewChanges uint64 `json:"view_changes"`
	// HasState is false while the replica's log starts above what it
	// executed and it fetches a checkpoint: it still acknowledges Prepares
	// and takes part in view changes with its log (a true copy of the log
	// after its base), but it is no copy of the state and counts against
	// f (see docs/protocol.md, "Replicas without state").
	// A witness never has state: see Role.
	HasState bool `json:"has_state"`
	// Role is "full" or "witness" (core.Role): a witness holds the log
	// only, votes, and is never primary.
	Role   string `json:"role"`
	Keys   int    `json:"keys"`
	Digest uint64 `json:"digest,omitempty"`
	// KeysUnknown: the state machine neither counts its keys nor digests
	// its state (the pebble engine), so Keys and Digest say nothing.
	KeysUnknown bool `json:"keys_unknown,omitempty"`
	// StateDiskBytes is what a state machine on disk takes there (the
	// pebble engine's working copy); 0 for one in memory.
	StateDiskBytes uint64 `json:"state_disk_bytes,omitempty"`
	// ID is the replica's stable id (Index is its position in the
	// configuration, -1 when it is not a member).
	ID int `json:"id"`
	// Epoch is the epoch of the replica's configuration, Members that
	// configuration with each member's address.
	Epoch   uint64         `json:"epoch"`
	Members []MemberStatus `json:"members"`
	// Transitioning: the primary holds a RECONFIGURATION it has not
	// executed and accepts no client request until the new epoch starts.
	Transitioning bool `json:"transitioning"`
}

// MemberStatus is one member of a configuration on the status page.
type MemberStatus struct {
	ID   int    `json:"id"`
	Role string `json:"role"`
	Addr string `json:"addr"`
}

func (n *Node) statusOf(info core.Info) Status {
	return Status{
		Index: info.Index, Address: n.cfg.Peers[n.cfg.Index], View: info.View,
		Status: info.Status.String(), Primary: info.Primary,
		IsPrimary: info.Primary == info.Index && info.Status == core.StatusNormal,
		OpNumber:  info.Op, CommitNumber: info.Commit, Executed: info.Executed,
		LastNormalView: info.LastNormalView, LogBase: info.LogBase, CheckpointOp: info.SavedOp,
		LeaseReads: info.LeaseReads, HasState: hasState(info),
		ViewChanges: info.Counters.ViewChanges, Role: info.Role.String(),
		ID: int(info.ID), Epoch: info.Epoch, Members: n.configMembersInfo(info), Transitioning: info.Transitioning,
	}
}

// hasState reports whether the replica holds the state at its log base: a
// full replica that is not fetching a checkpoint.
func hasState(info core.Info) bool {
	return info.Role != core.RoleWitness && info.Executed >= info.LogBase
}

// publish stores the cheap part of the status for concurrent readers.
func (n *Node) publish() {
	info := n.replica.Info()
	s := n.statusOf(info)
	n.status.Store(&s)
	n.info.Store(&info)
}

// fullStatus adds the state digest; only the loop goroutine may call it.
func (n *Node) fullStatus() Status {
	s := n.statusOf(n.replica.Info())
	sum := n.describe()
	s.Keys, s.Digest, s.KeysUnknown, s.StateDiskBytes = sum.keys, sum.digest, sum.unknown, sum.diskBytes
	return s
}

// Status returns the latest published status without the digest. Safe for
// concurrent use.
func (n *Node) Status() Status { return *n.status.Load() }

// FullStatus asks the loop for the status with the state digest.
func (n *Node) FullStatus(ctx context.Context) (Status, error) {
	reply := make(chan Status, 1)
	select {
	case n.statusReq <- reply:
	case <-ctx.Done():
		return Status{}, ctx.Err()
	}
	select {
	case s := <-reply:
		return s, nil
	case <-ctx.Done():
		return Status{}, ctx.Err()
	}
}

// observe logs protocol transitions at info level and publishes status.
func (n *Node) observe() {
	info := n.replica.Info()
	prev := n.last
	n.last = info
	n.info.Store(&info)
	n.observeEpoch(prev, info)
	n.observeState(prev, info)
	if info.View == prev.View && info.Status == prev.Status && info.Epoch == prev.Epoch && info.Transitioning == prev.Transitioning {
		if info.Commit != prev.Commit {
			n.publish()
		}
		return
	}
	n.publish()
	switch {
	case prev.Status == core.StatusRecovering && info.Status == core.StatusNormal && info.View == 0 && info.Op == 0:
		n.log.Info("cluster formed: every replica confirmed it is new", "view", info.View, "primary", info.Primary)
	case prev.Status == core.StatusRecovering && info.Status == core.StatusNormal:
		n.log.Info("recovered", "view", info.View, "op", info.Op, "commit", info.Commit, "primary", info.Primary)
	case info.Status == core.StatusViewChange:
		n.log.Info("view change started", "view", info.View, "from_view", prev.View, "next_primary", info.Primary)
	case info.Status == core.StatusNormal:
		role := "backup"
		if info.Role == core.RoleWitness {
			role = "witness"
		}
		if info.Primary == info.Index {
			role = "primary"
		}
		n.log.Info("view started", "view", info.View, "role", role, "primary", info.Primary,
			"op", info.Op, "commit", info.Commit)
	}
}

// observeState logs when the replica loses or regains the state below its
// log (it adopted a log that starts above what it executed).
func (n *Node) observeState(prev, info core.Info) {
	if info.Role == core.RoleWitness {
		return // it never holds the state
	}
	if k, was := info.Counters, prev.Counters; k.LogCatchUps > was.LogCatchUps {
		n.log.Info("caught up from a peer's retained log instead of a checkpoint",
			"op", info.Op, "entries", k.LogEntriesFetched-was.LogEntriesFetched)
	}
	if k, was := info.Counters, prev.Counters; k.LogFetchesFailed > was.LogFetchesFailed {
		n.log.Info("a peer's retained log did not have the entries this replica misses (or did not answer)",
			"op", info.Op, "commit", info.Commit)
	}
	was, is := prev.Executed >= prev.LogBase, info.Executed >= info.LogBase
	switch {
	case was && !is:
		n.publish()
		n.log.Warn("holding a log but not the state below it: fetching a checkpoint; until it is installed this replica is no copy of the state and counts against f",
			"log_base", info.LogBase, "executed", info.Executed)
	case !was && is:
		n.publish()
		n.log.Info("state below the log installed: a full copy again", "executed", info.Executed)
	}
}

// logMessage logs protocol traffic at debug level, with the fields package
// message picks for m's type.
func logMessage(log *slog.Logger, dir string, peer int, m message.Message) {
	ctx := context.Background()
	if m == nil || !log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("dir", dir), slog.Int("peer", peer))
	log.LogAttrs(ctx, slog.LevelDebug, m.Type().String(), message.AppendAttrs(attrs, m)...)
}
