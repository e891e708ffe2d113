// Command vr is the command-line tool of the vr-go Viewstamped Replication
// library: the replica server, the key-value CLI, the status table, the
// demo, and the deterministic simulator.
package main

func main() {
	exit(newRootCmd().Execute())
}
