// Package e2e holds tests that run real `vr server` processes on loopback
// ports and attack them: SIGKILL and restart of primaries, SIGSTOP and
// SIGCONT, network partitions, one-way and slow links through user-space
// proxies (internal/netproxy), concurrent clients whose histories are
// checked for linearizability, and malformed input on raw TCP connections.
//
// TestMain builds the vr binary once. Set VR_E2E_ARTIFACTS to a directory
// to keep the servers' logs and porcupine visualizations there, and
// VR_E2E_RACE=1 to build the servers with the race detector.
package e2e
