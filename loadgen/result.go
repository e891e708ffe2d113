package loadgen

import "time"

// Result summarises the measured part of a run (after Warmup). Latency
// figures cover successful operations only; failed ones are counted in
// Errors.
type Result struct {
	Ops        int64         `json:"ops"`    // successful measured operations
	Reads      int64         `json:"reads"`  // of which Gets
	Writes     int64         `json:"writes"` // of which Puts
	Errors     int64         `json:"errors"` // failed measured operations
	FirstError string        `json:"first_error,omitempty"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Throughput float64       `json:"throughput_ops_per_sec"` // Ops / Elapsed
	Mean       time.Duration `json:"mean_ns"`
	P50        time.Duration `json:"p50_ns"`
	P90        time.Duration `json:"p90_ns"`
	P99        time.Duration `json:"p99_ns"`
	P999       time.Duration `json:"p999_ns"`
	Max        time.Duration `json:"max_ns"`
	// CPUSeconds is the user+system CPU time of the whole process that
	// called Run (getrusage RUSAGE_SELF) over the measured interval: the
	// load generator and the Target's client library, plus anything else
	// running in that process. It is -1 where the platform cannot tell.
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPer1000 is CPUSeconds per 1,000 successful operations.
	CPUPer1000 float64 `json:"cpu_seconds_per_1000_ops"`
}

// Snapshot is the progress of a running Run.
type Snapshot struct {
	Elapsed time.Duration // since Run started, warmup included
	Warmup  bool          // still warming up
	Ops     int64         // operations completed so far, warmup included
	Errors  int64         // failed operations so far, warmup included
	Rate    float64       // operations per second since the previous Snapshot
	// P99 and Max are the latencies of the operations that succeeded
	// since the previous Snapshot (zero if none did).
	P99, Max time.Duration
	// KeysWritten is how many distinct keys were written so far, warmup
	// included: for a store that started empty, its data is KeysWritten
	// times (KeySize + ValueSize) bytes.
	KeysWritten int64
}

// summarise fills the latency and rate fields of r from h.
func (r *Result) summarise(h *Histogram, cpu float64) {
	r.Mean, r.Max = h.Mean(), h.Max()
	r.P50, r.P90 = h.Quantile(0.50), h.Quantile(0.90)
	r.P99, r.P999 = h.Quantile(0.99), h.Quantile(0.999)
	if r.Elapsed > 0 {
		r.Throughput = float64(r.Ops) / r.Elapsed.Seconds()
	}
	r.CPUSeconds, r.CPUPer1000 = cpu, -1
	if cpu >= 0 && r.Ops > 0 {
		r.CPUPer1000 = cpu / float64(r.Ops) * 1000
	}
}
