package sim

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Result summarizes one run.
type Result struct {
	Seed     uint64
	Replicas int
	Clients  int
	Profile  string

	Steps          int // events processed
	OpsCommitted   uint64
	OpsCompleted   int // client operations answered with a result
	Evictions      int // client operations ended by a session eviction
	ViewChanges    int // times a higher view became normal somewhere
	Recoveries     int // restarted replicas that completed recovery
	StateTransfers int // NewState messages delivered
	// LogCatchUps counts state transfers that caught up from a peer's
	// retained log (GetLog) instead of a checkpoint, and
	// LogEntriesFetched the entries they appended.
	LogCatchUps       int
	LogEntriesFetched int
	// CheckpointsInstalled counts checkpoints a replica installed (fetched
	// from a peer, or read from its disk at restart).
	CheckpointsInstalled int
	CheckpointsSaved     int // checkpoints written in the background
	CheckpointsSkipped   int // due while the previous one was being written
	// CheckpointsKept counts the checkpoints diskless replicas kept
	// unwritten while no peer fetched one (driver.LazySaves), and
	// CheckpointsWanted the kept ones a peer's GetCheckpoint had written.
	CheckpointsKept   int
	CheckpointsWanted int
	CheckpointDeltas  int // saved as a delta on the previous one's chain
	CheckpointBases   int // new bases written in the background
	Installs          int // fetched checkpoints installed off the step
	DeltaInstalls     int // of which only the records after a chain held were fetched
	InStateInstalls   int // of which deltas applied to the state machine as it was
	LeaseReads        int // reads a primary answered under its read lease
	// KVCompactions counts the slabs the replicas' stores compacted (the
	// runs' stores use small slabs: kvLayout).
	KVCompactions       int
	Reconfigurations    int // RECONFIGURATIONs the administrator saw executed (reconfig.go)
	StandbyPromotions   int // of those, the ones that promoted a standby (standby.go)
	StandbyRefusals     int // promotions refused because the standby lagged
	NewMajorityRefusals int // reconfigurations refused: new members a majority
	WitnessChanges      int // reconfigurations that added or removed a witness (reconfig_roles.go)
	WitnessRefusals     int // reconfigurations refused: more than f' witnesses
	Demotions           int // reconfigurations that demoted a full replica to a standby
	Crashes             int
	ClusterCrashes      int // every replica crashed at once (durable mode)
	PeerLostHints       int // peers told that a crashed replica's connection ended (peerlost.go)
	Corruptions         int // restarts that found a corrupt disk and recovered
	TornWrites          int // crashes that lost or tore writes in flight
	DiskErrors          int // EIO or ENOSPC returned to the storage by a write or a sync
	ReadErrors          int // EIO returned to the storage by a read
	Misdirected         int // writes that landed at the wrong offset
	FsyncLies           int // syncs reported done that made nothing durable
	Rotted              int // restarts that found rotted bits
	AckedChecked        int // acknowledged requests found in the final log
	Epochs              int // network fault states drawn
	MessagesSent        int
	MessagesDropped     int
	MessagesDuplicated  int
	MessagesHeld        int // messages a cut link buffered until it healed
	// MessagesLostInCrash counts the messages a crashed replica had queued
	// and its kernel had not yet accepted (sendBuffer): they die with it.
	MessagesLostInCrash int
	LargestMessage      int // encoded size of the largest message sent, in bytes
	SlowSteps           int // steps that took long (Faults.SlowSteps)
	SimulatedTime       time.Duration
	CheckTimeouts       int // linearizability checks that timed out (each fails its run)
	// TraceHash hashes every event in order: equal options give equal
	// hashes.
	TraceHash uint64
}

// finishResult fills the fields computed at the end.
func (r *run) finishResult() {
	for _, rep := range r.replicas {
		r.countCompactions(rep)
		if rep.up {
			r.res.OpsCommitted = max(r.res.OpsCommitted, rep.core.Info().Commit)
		}
	}
	r.res.SimulatedTime = time.Duration(r.now) * time.Microsecond
	r.res.TraceHash = r.trace
}

// ReplayCommand returns the command line that replays a run with opts.
func ReplayCommand(opts Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "go run ./cmd/vr sim --seed %d --replicas %d", opts.Seed, opts.Replicas)
	if opts.Clients != 0 && opts.Clients != 4 {
		fmt.Fprintf(&b, " --clients %d", opts.Clients)
	}
	if opts.Keys != 0 && opts.Keys != 3 {
		fmt.Fprintf(&b, " --keys %d", opts.Keys)
	}
	if p := opts.Faults.Name; p != "" && p != "all" {
		fmt.Fprintf(&b, " --profile %s", p)
	} else if opts.Profile != "" && opts.Profile != "all" {
		fmt.Fprintf(&b, " --profile %s", opts.Profile)
	}
	if opts.MaxSessions != 0 {
		fmt.Fprintf(&b, " --max-sessions %d", opts.MaxSessions)
	}
	if d := opts.FaultDuration; d != 0 && d != 2*time.Second {
		fmt.Fprintf(&b, " --fault %v", d)
	}
	if d := opts.QuietDuration; d != 0 && d != defaultQuiet {
		fmt.Fprintf(&b, " --quiet %v", d)
	}
	if opts.Witnesses != 0 {
		fmt.Fprintf(&b, " --witnesses %d", opts.Witnesses)
	}
	if opts.BandwidthMiB != 0 {
		fmt.Fprintf(&b, " --bandwidth %d", opts.BandwidthMiB)
	}
	if opts.Engine != "" && opts.Engine != EngineKV {
		fmt.Fprintf(&b, " --engine %s", opts.Engine)
	}
	if names := plantedNames(opts); len(names) > 0 {
		fmt.Fprintf(&b, " --bugs %s", strings.Join(names, ","))
	}
	return b.String()
}

// Totals aggregates many runs.
type Totals struct {
	Runs, Failures int
	Sum            Result // counters summed over all runs
}

// Add folds one run into the totals.
func (t *Totals) Add(res Result, err error) {
	t.Runs++
	if err != nil {
		t.Failures++
	}
	s := &t.Sum
	s.Steps += res.Steps
	s.OpsCommitted += res.OpsCommitted
	s.OpsCompleted += res.OpsCompleted
	s.Evictions += res.Evictions
	s.ViewChanges += res.ViewChanges
	s.Recoveries += res.Recoveries
	s.StateTransfers += res.StateTransfers
	s.LogCatchUps += res.LogCatchUps
	s.LogEntriesFetched += res.LogEntriesFetched
	s.CheckpointsInstalled += res.CheckpointsInstalled
	s.CheckpointsSaved += res.CheckpointsSaved
	s.CheckpointsSkipped += res.CheckpointsSkipped
	s.CheckpointsKept += res.CheckpointsKept
	s.CheckpointsWanted += res.CheckpointsWanted
	s.CheckpointDeltas += res.CheckpointDeltas
	s.CheckpointBases += res.CheckpointBases
	s.Installs += res.Installs
	s.DeltaInstalls += res.DeltaInstalls
	s.InStateInstalls += res.InStateInstalls
	s.LeaseReads += res.LeaseReads
	s.KVCompactions += res.KVCompactions
	s.Reconfigurations += res.Reconfigurations
	s.StandbyPromotions += res.StandbyPromotions
	s.StandbyRefusals += res.StandbyRefusals
	s.NewMajorityRefusals += res.NewMajorityRefusals
	s.WitnessChanges += res.WitnessChanges
	s.WitnessRefusals += res.WitnessRefusals
	s.Demotions += res.Demotions
	s.Crashes += res.Crashes
	s.ClusterCrashes += res.ClusterCrashes
	s.PeerLostHints += res.PeerLostHints
	s.Corruptions += res.Corruptions
	s.TornWrites += res.TornWrites
	s.DiskErrors += res.DiskErrors
	s.ReadErrors += res.ReadErrors
	s.Misdirected += res.Misdirected
	s.FsyncLies += res.FsyncLies
	s.Rotted += res.Rotted
	s.AckedChecked += res.AckedChecked
	s.MessagesSent += res.MessagesSent
	s.MessagesDropped += res.MessagesDropped
	s.MessagesDuplicated += res.MessagesDuplicated
	s.MessagesHeld += res.MessagesHeld
	s.MessagesLostInCrash += res.MessagesLostInCrash
	s.LargestMessage = max(s.LargestMessage, res.LargestMessage)
	s.SlowSteps += res.SlowSteps
	s.SimulatedTime += res.SimulatedTime
	s.CheckTimeouts += res.CheckTimeouts
}

// WriteTable prints the totals as a two-column table.
func (t *Totals) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	s := t.Sum
	rows := []struct {
		name  string
		value any
	}{
		{"runs", t.Runs},
		{"ops committed", s.OpsCommitted},
		{"client ops completed", s.OpsCompleted},
		{"session evictions", s.Evictions},
		{"view changes", s.ViewChanges},
		{"crashes", s.Crashes},
		{"whole-cluster crashes", s.ClusterCrashes},
		{"lost-connection hints", s.PeerLostHints},
		{"corrupt disks repaired", s.Corruptions},
		{"crashes that tore or lost writes", s.TornWrites},
		{"write errors (EIO, ENOSPC)", s.DiskErrors},
		{"read errors (EIO)", s.ReadErrors},
		{"misdirected writes", s.Misdirected},
		{"fsyncs that lied", s.FsyncLies},
		{"restarts with rotted bits", s.Rotted},
		{"acknowledged requests checked", s.AckedChecked},
		{"recoveries", s.Recoveries},
		{"state transfers", s.StateTransfers},
		{"catch-ups from a retained log", s.LogCatchUps},
		{"entries fetched from retained logs", s.LogEntriesFetched},
		{"checkpoints installed", s.CheckpointsInstalled},
		{"checkpoints saved", s.CheckpointsSaved},
		{"checkpoints skipped (writer busy)", s.CheckpointsSkipped},
		{"checkpoints kept unwritten (diskless, none fetched)", s.CheckpointsKept},
		{"kept checkpoints written for a peer", s.CheckpointsWanted},
		{"checkpoints saved as deltas", s.CheckpointDeltas},
		{"checkpoint bases written in the background", s.CheckpointBases},
		{"fetched checkpoints installed off the step", s.Installs},
		{"of which records after a chain held", s.DeltaInstalls},
		{"of which deltas on the state as it was", s.InStateInstalls},
		{"reads under a lease", s.LeaseReads},
		{"kv slabs compacted", s.KVCompactions},
		{"reconfigurations", s.Reconfigurations},
		{"standby promotions", s.StandbyPromotions},
		{"standby promotions refused (lagging)", s.StandbyRefusals},
		{"reconfigurations refused (new majority)", s.NewMajorityRefusals},
		{"witnesses added or removed", s.WitnessChanges},
		{"reconfigurations refused (more than f' witnesses)", s.WitnessRefusals},
		{"full replicas demoted to standbys", s.Demotions},
		{"messages sent", s.MessagesSent},
		{"messages dropped", s.MessagesDropped},
		{"messages duplicated", s.MessagesDuplicated},
		{"messages held by cut links", s.MessagesHeld},
		{"messages lost with their crashed sender", s.MessagesLostInCrash},
		{"largest message (bytes)", s.LargestMessage},
		{"slow steps", s.SlowSteps},
		{"simulated time", s.SimulatedTime.Round(time.Millisecond)},
		{"linearizability check timeouts", s.CheckTimeouts},
		{"failures", t.Failures},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%v\t\n", row.name, row.value)
	}
	return tw.Flush()
}
