// Package loadgen is a closed-loop load generator for key-value stores.
//
// Run starts Config.Clients goroutines; each issues Get or Put operations
// back-to-back against a Target (the next starts when the previous one
// returns), on fixed-width keys drawn uniformly or from a Zipf
// distribution. It reports throughput, latency percentiles from a
// log-linear histogram (see Histogram), errors, and the CPU time the
// load-generating process spent per 1,000 operations.
//
// The same package drives `vr bench` and the etcd comparison in
// bench/compare, so both systems see exactly the same workload.
package loadgen
