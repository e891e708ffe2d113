// Package gateway lets clients that do not speak vr's protocol use the
// replicated key-value store: a Redis-protocol server (RESP2, and RESP3
// after HELLO 3) and an HTTP/JSON handler, both in front of a Store, which
// in production is a *client.Client (the VR proxy) and in tests may be
// anything that behaves like one.
//
// The gateway holds no state of its own beyond SCAN cursors: every
// command becomes one or a few operations of the store, each executed
// once by the cluster (INCR is one replicated op, never a read followed
// by a write). Reads are linearizable by default; a Redis connection that
// sends READONLY, or an HTTP request with ?stale=1, reads from any replica
// instead (Config.Stale), and may miss recent writes.
//
// The gateway runs in its own process (vr gateway) or inside a replica
// (vr server --redis-addr, --http-addr); docs/operations.md says why a
// separate process is the default.
package gateway
