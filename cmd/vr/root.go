package main

import "github.com/spf13/cobra"

// subcommands build the `vr` subcommands. Each lives in its own file and
// registers its constructor from an init function with register. Building
// the tree afresh for every run (newRootCmd) keeps one run's flag values out
// of the next one.
var subcommands []func() *cobra.Command

func register(constructors ...func() *cobra.Command) {
	subcommands = append(subcommands, constructors...)
}

// newRootCmd builds the `vr` command with every subcommand.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "vr",
		Short: "Viewstamped Replication (Revisited): replicated key-value store, demo and simulator",
		Long: `vr is the command-line tool of vr-go, an implementation of Viewstamped
Replication Revisited (Liskov & Cowling, 2012) with a replicated key-value
store: "vr server" runs a replica, "vr demo" shows a 5-replica cluster failing
over, "vr get/put/del/cas/scan" and "vr status" talk to a cluster, "vr bench"
measures one, and "vr sim" runs the deterministic fault-injection simulator.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	for _, build := range subcommands {
		root.AddCommand(build())
	}
	return root
}
