package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/sim"
)

// simFlags are the flags of `vr sim`.
type simFlags struct {
	seed, start, seeds uint64
	replicas, clients  int
	keys, maxSessions  int
	workers            int
	profile, bugs      string
	engine             string
	fault, quiet       time.Duration
	messages           bool
	showFailures       int
	witnesses          int
	bandwidth          int
}

func init() { register(newSimCmd) }

func newSimCmd() *cobra.Command {
	var f simFlags
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the deterministic fault-injection simulator",
		Long: `sim runs simulated VR clusters under message loss, duplication, reordering,
partitions, crashes and clock skew, and checks safety (agreement,
linearizability) and liveness after the faults heal.

Run many seeds with --seeds N (seeds --start .. --start+N-1, in parallel), or
replay one seed with a full account of the run with --seed N.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("seed") {
				return replaySeed(cmd.OutOrStdout(), f)
			}
			return runSeeds(cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 0, "replay this one seed, logging the run")
	fl.Uint64Var(&f.seeds, "seeds", 100, "number of seeds to run")
	fl.Uint64Var(&f.start, "start", 1, "first seed of a --seeds run")
	fl.IntVar(&f.replicas, "replicas", 0, "cluster size, 3 or 5 (default: 3 for odd seeds, 5 for even)")
	fl.IntVar(&f.clients, "clients", 0, "number of clients (default 4)")
	fl.IntVar(&f.keys, "keys", 0, "size of the key set (default 3)")
	fl.IntVar(&f.maxSessions, "max-sessions", 0, "client-table bound (default: chosen by the fault profile)")
	fl.IntVar(&f.witnesses, "witnesses", 0, "witnesses in the cluster, at most f, at random indexes (default: as the profile says; witness profiles: f)")
	fl.IntVar(&f.bandwidth, "bandwidth", 0, "capacity of each link between replicas in MiB/s, with control and bulk lanes (default: as the profile says; bandwidth: 40)")
	fl.StringVar(&f.profile, "profile", "all", "fault profile: "+strings.Join(sim.Profiles(), ", "))
	fl.StringVar(&f.bugs, "bugs", "", "planted bugs, comma-separated: the core's ("+strings.Join(sim.AllBugNames(), ", ")+
		") and the driver's, storage's, the log's and the store's ("+strings.Join(sim.AllOptionBugNames(), ", ")+")")
	fl.StringVar(&f.engine, "engine", sim.EngineKV, "the replicas' state machine: kv (the in-memory store) or pebble (package pebblekv, on an in-memory file system)")
	fl.DurationVar(&f.fault, "fault", 0, "simulated length of the fault phase (default 2s)")
	fl.DurationVar(&f.quiet, "quiet", 0, "simulated length of the quiet phase (default 2.5s)")
	fl.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "parallel runs")
	fl.BoolVar(&f.messages, "messages", false, "with --seed, also log every message delivery")
	fl.IntVar(&f.showFailures, "show", 20, "failures to print in detail")
	return cmd
}

// options builds the simulator options for one seed.
func (f simFlags) options(seed uint64) (sim.Options, error) {
	if _, err := sim.Profile(f.profile); err != nil {
		return sim.Options{}, err
	}
	if f.engine != sim.EngineKV && f.engine != sim.EnginePebble {
		return sim.Options{}, fmt.Errorf("bad --engine %q: use %s or %s", f.engine, sim.EngineKV, sim.EnginePebble)
	}
	opts := sim.Options{
		Seed: seed, Replicas: f.replicas, Clients: f.clients, Keys: f.keys,
		FaultDuration: f.fault, QuietDuration: f.quiet,
		Profile: f.profile, MaxSessions: f.maxSessions, Witnesses: f.witnesses,
		BandwidthMiB: f.bandwidth, Engine: f.engine,
	}
	if err := sim.SetBugs(&opts, f.bugs); err != nil {
		return sim.Options{}, err
	}
	return opts, nil
}

// replaySeed runs one seed with a log of the run.
func replaySeed(w io.Writer, f simFlags) error {
	opts, err := f.options(f.seed)
	if err != nil {
		return err
	}
	opts.Log, opts.LogMessages = w, f.messages
	res, err := sim.Run(opts)
	var totals sim.Totals
	totals.Add(res, err)
	fmt.Fprintf(w, "\nseed %d, %d replicas, profile %s, trace %016x\n", res.Seed, res.Replicas, res.Profile, res.TraceHash)
	if werr := totals.WriteTable(w); werr != nil {
		return werr
	}
	return err
}
