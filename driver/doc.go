// Package driver is the body of a replica's event loop, shared by the real
// server (package node) and the simulator (package sim): the same code
// catches the logical clock up before every input, drains queued inputs
// into one Output, fires the timers that came due only after the drained
// inputs were stepped (a backup that stalled reads what its primary sent
// meanwhile before it times out), and applies the rule "persist, then
// send".
//
// It owns one core.Replica and takes everything else as values it is
// given: a Network to send replica messages and client replies, a Storage
// that makes an Output's durable part durable (nil: diskless), and the
// elapsed time on the replica's clock at each call. The node wires TCP, the
// write-ahead log and the monotonic wall clock; the simulator wires its
// simulated network, disks and skewed clocks. TigerBeetle's
// ReplicaType(StateMachine, MessageBus, Storage, Time) is the model: the
// code under simulation is the code in production.
//
// A Driver is not safe for concurrent use: one goroutine (or the
// simulator's loop) owns it.
package driver
