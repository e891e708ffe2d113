// Package benchcpu reports the CPU time a benchmark's process used per
// operation. On a shared machine a benchmark's ns/op is wall time and
// includes the time other processes held the cores; the CPU this process
// consumed (user + system, every thread, the garbage collector's too) is
// the figure that such load disturbs least, and the one to compare
// between two versions run one after the other.
package benchcpu

import (
	"testing"

	"github.com/vr-go/vr/internal/proccpu"
)

// Start notes the process's CPU time; call the returned function after the
// benchmark loop to report the CPU time per operation as "cpu-ns/op".
func Start(b *testing.B) func() {
	b.Helper()
	start := proccpu.Self()
	return func() {
		used := proccpu.Self() - start
		if start < 0 || used < 0 || b.N == 0 {
			return
		}
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
