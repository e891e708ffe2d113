package main

import "github.com/spf13/cobra"

// rootCmd is the `vr` command. Each subcommand lives in its own file and
// registers itself from an init function with rootCmd.AddCommand.
var rootCmd = &cobra.Command{
	Use:   "vr",
	Short: "Viewstamped Replication (Revisited) library, replicated key-value store and simulator",
	Long: `vr is the command-line tool of vr-go, an implementation of Viewstamped
Replication Revisited (Liskov & Cowling, 2012) with a replicated key-value
store. Use "vr sim" to run the deterministic fault-injection simulator.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}
