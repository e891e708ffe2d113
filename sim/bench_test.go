package sim

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkProfileSeeds measures the simulator's speed per profile: one op
// is one whole seed. Besides wall time it reports the process's CPU time
// per seed (cpu-ms/seed), which a loaded machine disturbs less. Every
// profile has a sub-benchmark: pick some with -bench 'ProfileSeeds/durable$'.
func BenchmarkProfileSeeds(b *testing.B) {
	for _, profile := range Profiles() {
		b.Run(profile, func(b *testing.B) {
			if _, err := Profile(profile); err != nil {
				b.Skip(err)
			}
			seed := uint64(1)
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Run(Options{Profile: profile, Seed: seed}); err != nil {
					b.Fatalf("seed %d: %v", seed, err)
				}
				seed++
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/seed")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
