//go:build !unix

package node

// processAlive cannot tell here: every scratch directory is kept.
func processAlive(int) bool { return true }
