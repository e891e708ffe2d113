package sim

import (
	"strings"
	"testing"
)

// TestPreparedSegmentsInDurableRuns: half the durable runs (even seeds)
// prepare their log segments (wal.Options.Preallocate), so the simulator
// drives the prepared files, their adoption at a roll and the zeros they
// leave through crashes and disk faults; the other half never make one.
func TestPreparedSegmentsInDurableRuns(t *testing.T) {
	faults, err := Profile("durable")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 6; seed++ {
		opts, err := Options{Seed: seed, Replicas: 3, Faults: faults}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		r := newRun(opts)
		r.start()
		r.runUntil(r.endAt)
		if r.viol != nil {
			t.Fatalf("seed %d: %v", seed, r.viol)
		}
		// A prepared file waits for the next roll, and a segment that
		// was one keeps its full size (header and segSize) until it is
		// full.
		prepFiles, fullSize := 0, 0
		for _, rep := range r.replicas {
			if rep.disk == nil {
				continue
			}
			for name, fd := range rep.disk.fs.live.files {
				switch {
				case strings.HasSuffix(name, ".seg.prep"):
					prepFiles++
				case strings.HasSuffix(name, ".seg") && fd.size == 12<<10+r.segSize:
					fullSize++
				}
			}
		}
		adopted := prepFiles + fullSize
		if want := seed%2 == 0; (adopted > 0) != want {
			t.Fatalf("seed %d: %d prepared files, %d segments at their prepared size; want some: %v", seed, prepFiles, fullSize, want)
		}
		t.Logf("seed %d: %d prepared files, %d segments at their prepared size", seed, prepFiles, fullSize)
	}
}
