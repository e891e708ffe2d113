package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// demoFlags are the flags of `vr demo`.
type demoFlags struct {
	replicas    int
	basePort    int
	verbose     bool
	viewTimeout time.Duration
	deadline    time.Duration
	durable     bool
	checkpoint  uint64
	tls         bool
	witness     bool
	reconfigure bool
}

func init() { register(newDemoCmd) }

func newDemoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a local cluster, crash its primary twice, and narrate how VR copes",
		Long: `demo starts a cluster of real "vr server" processes on 127.0.0.1 (replica i
on port base+i, its status endpoint on base+i+1000), runs a client against
it, kills the primary with SIGKILL, restarts it, kills the next primary, and
explains each step: normal operation, view change, recovery.

At the end it checks that every acknowledged write reads back with its last
acknowledged value and that all replicas reach the same state digest. It
stops every process it started, also when interrupted, and exits non-zero
if anything failed. The servers' logs are kept in a temporary directory.

With --durable every server keeps its log on disk (its own --data-dir in the
demo's directory, --sync sync): a restarted replica comes back from its disk
instead of running the recovery protocol, and a final step crashes the whole
cluster at once and shows that nothing acknowledged was lost.

With --witness the cluster is 2 full replicas and 1 witness (port base+2),
which stores the log and votes but holds no state and is never primary: the
demo kills the primary under load, the other full replica takes over with
the witness's vote and log, every acknowledged write is read back, and the
killed replica recovers.

With --reconfigure it shows reconfiguration (VR Revisited §7) on ports
base..base+5: 3 replicas and a client writing; two replicas join and the
cluster grows to 5 (vr server --join, vr reconfigure --add); a member is
SIGKILLed and replaced by a new one on a new port; the primary and one
more member are removed (5 → 3) and exit. vr status is shown at each step,
and every acknowledged write is read back at the end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.witness {
				if cmd.Flags().Changed("replicas") && f.replicas != 3 {
					return usageError{fmt.Errorf("--witness runs 3 replicas (2 full + 1 witness), not --replicas %d", f.replicas)}
				}
				f.replicas = 3
			}
			if f.reconfigure {
				if f.witness || f.durable || f.tls || cmd.Flags().Changed("replicas") {
					return usageError{fmt.Errorf("--reconfigure runs its own 6 replicas, diskless and plaintext: without --replicas, --witness, --durable and --tls")}
				}
				f.replicas = reconfigReplicas
			}
			if err := f.validate(); err != nil {
				return usageError{err}
			}
			return runDemo(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.replicas, "replicas", 5, "number of replicas (odd, at least 3)")
	fl.IntVar(&f.basePort, "base-port", 8000, "port of replica 0; replica i uses base+i, and base+i+1000 for status")
	fl.BoolVar(&f.verbose, "verbose", false, "also stream the servers' logs, each line prefixed with its replica's port")
	fl.DurationVar(&f.viewTimeout, "view-timeout", 300*time.Millisecond, "the servers' --view-timeout")
	fl.DurationVar(&f.deadline, "deadline", 55*time.Second, "give up if the whole demo takes longer")
	fl.Uint64Var(&f.checkpoint, "checkpoint-interval", 10, "the servers' --checkpoint-interval (small, so that the demo shows checkpoints)")
	fl.BoolVar(&f.durable, "durable", false, "durable mode: every server gets its own --data-dir; adds a whole-cluster crash at the end")
	fl.BoolVar(&f.tls, "tls", false, "mutual TLS: make development certificates (as vr certs init) and run every link over TLS 1.3")
	fl.BoolVar(&f.reconfigure, "reconfigure", false, "reconfiguration: grow 3 → 5, replace a killed member by a new one on a new port, remove the primary (5 → 3)")
	fl.BoolVar(&f.witness, "witness", false, "2 full replicas and 1 witness (log only, never primary): kill the primary, the other full replica takes over")
	return cmd
}

func (f demoFlags) validate() error {
	switch {
	case f.reconfigure && f.replicas != reconfigReplicas:
		return fmt.Errorf("--reconfigure uses %d replicas", reconfigReplicas)
	case !f.reconfigure && (f.replicas < 3 || f.replicas%2 == 0):
		return fmt.Errorf("--replicas %d: need an odd number, at least 3 (the demo crashes two primaries)", f.replicas)
	case f.basePort < 1 || f.basePort+f.replicas-1+1000 > 65535:
		return fmt.Errorf("--base-port %d: ports %d..%d and their status ports (+1000) must be in 1..65535",
			f.basePort, f.basePort, f.basePort+f.replicas-1)
	case f.checkpoint == 0:
		return fmt.Errorf("--checkpoint-interval must be at least 1")
	case f.viewTimeout <= 50*time.Millisecond:
		return fmt.Errorf("--view-timeout %v must exceed the servers' 50ms heartbeat", f.viewTimeout)
	}
	return nil
}

// runDemo runs the demo and stops every process it started, whatever
// happens: on success, on failure, and on SIGINT or SIGTERM.
func runDemo(parent context.Context, w io.Writer, f demoFlags) error {
	sigCtx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, f.deadline)
	defer cancel()
	ui := newDemoUI(w)
	d, err := newDemo(f, ui)
	if err != nil {
		return err
	}
	defer d.close()
	err = d.run(ctx)
	switch {
	case sigCtx.Err() != nil:
		ui.fail("interrupted: stopping the replicas")
		return errors.New("demo interrupted")
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("the demo took longer than --deadline %v: %w", f.deadline, err)
	}
	return err
}
