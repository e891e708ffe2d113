package sim

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/kv/kvcheck"
)

// runWith plays one run of opts after setup has adjusted it.
func runWith(t *testing.T, opts Options, setup func(*run)) (*run, error) {
	t.Helper()
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(opts)
	setup(r)
	r.start()
	r.runUntil(r.endAt)
	_, err = r.finish()
	return r, err
}

func TestCheckTimeoutFails(t *testing.T) {
	r := startedRun(t, 100_000)
	r.runUntil(r.endAt)
	// Thirty writes of unknown outcome and a read of a value none of them
	// wrote: porcupine must try every subset of the writes before it can
	// call the history illegal, which takes far longer than the timeout.
	for i := range 30 {
		id := r.hist.begin(i%4, kv.NewPut([]byte("zz"), []byte(fmt.Sprint(i))))
		r.hist.rec.EndUnknown(id)
	}
	id := r.hist.begin(0, kv.NewGet([]byte("zz")))
	r.hist.rec.End(id, kvcheck.Output{Found: true, Value: "never-written", Version: 1})
	r.hist.timeout = time.Millisecond
	r.finalChecks()
	wantKind(t, r, KindCheckTimeout)
	if r.res.CheckTimeouts != 1 {
		t.Fatalf("CheckTimeouts = %d", r.res.CheckTimeouts)
	}
}

func TestCheckStaleReadFails(t *testing.T) {
	r := startedRun(t, 100_000)
	r.runUntil(r.endAt)
	id := r.hist.beginAs(0, kv.NewGet([]byte("k0")), true)
	r.hist.rec.End(id, kvcheck.Output{Found: true, Value: "never-written", Version: 1, Source: 1 << 32})
	r.finalChecks()
	wantKind(t, r, KindStaleRead)
}

// TestPlantedHistoryBugsCaught plants a bug in what clients are told and
// requires the history checks to catch it within 20 seeds, the first caught
// seed passing without the bug. With -v it plays all 20 seeds of each case
// and logs how many catch it.
func TestPlantedHistoryBugsCaught(t *testing.T) {
	cases := []struct {
		name    string
		profile string
		wl      workload
		plant   plantedBugs
		want    Kind
	}{
		{"stale read from an old copy", "all", workload{stale: 0.5}, plantedBugs{staleFromOld: true, every: 2}, KindStaleRead},
		{"scan drops an item", "all", workload{multi: true}, plantedBugs{scanDropsItem: true}, KindLinearizability},
		{"batch results shifted", "all", workload{multi: true}, plantedBugs{batchShifted: true}, KindLinearizability},
		{"lease read from an old copy", "all", workload{}, plantedBugs{leaseFromOld: true, every: 2}, KindLinearizability},
		// Rarer: one stale read, scan, lease read or batch in 20. (From
		// copies at most 20ms old, stale reads were caught in 4 runs of 200
		// only.)
		{"rare stale read from an old copy", "all", workload{stale: 0.5}, plantedBugs{staleFromOld: true, every: 20}, KindStaleRead},
		{"rare scan drops an item", "all", workload{multi: true}, plantedBugs{scanDropsItem: true, every: 20}, KindLinearizability},
		{"rare lease read from an old copy", "all", workload{}, plantedBugs{leaseFromOld: true, every: 20}, KindLinearizability},
		{"rare batch results shifted", "all", workload{multi: true}, plantedBugs{batchShifted: true, every: 20}, KindLinearizability},
	}
	const seeds = 20
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var caught []uint64
			for seed := uint64(1); seed <= seeds && (len(caught) == 0 || testing.Verbose()); seed++ {
				opts := Options{Seed: seed, Profile: c.profile}
				_, err := runWith(t, opts, func(r *run) { r.hist.force, r.hist.plant = &c.wl, c.plant })
				var v *Violation
				switch {
				case errors.As(err, &v) && v.Kind == c.want:
					caught = append(caught, seed)
				case err != nil:
					t.Fatalf("seed %d failed otherwise: %v", seed, err)
				}
			}
			t.Logf("%s: caught at seeds %v", c.name, caught)
			if len(caught) == 0 {
				t.Fatalf("not caught in %d seeds", seeds)
			}
			seed := caught[0]
			if _, err := runWith(t, Options{Seed: seed, Profile: c.profile}, func(r *run) { r.hist.force = &c.wl }); err != nil {
				t.Fatalf("seed %d fails without the planted bug: %v", seed, err)
			}
		})
	}
}

// TestHistoryCoverage checks that the histories hold what the checks are
// said to cover: scans, prefix scans, batches and stale reads, stale reads
// that meet an earlier answer of the same replica, and multi-key
// partitions.
func TestHistoryCoverage(t *testing.T) {
	counts := map[string]int{}
	for seed := uint64(1); seed <= 20; seed++ {
		r, err := runWith(t, Options{Seed: seed, Profile: "all"}, func(*run) {})
		if err != nil {
			t.Fatal(err)
		}
		ops := r.hist.rec.Operations()
		last := map[uint64]int64{} // source -> latest return so far
		for _, op := range ops {
			in, out := op.Input.(kvcheck.Input), op.Output.(kvcheck.Output)
			switch {
			case out.Unknown:
			case in.Stale:
				counts["stale reads"]++
				if t, ok := last[out.Source]; ok && out.Source != 0 && t < op.Call {
					counts["stale reads after an answer of their source"]++
				}
			case in.Op == kvcheck.OpScan:
				counts["scans"]++
			case in.Op == kvcheck.OpScanPrefix:
				counts["prefix scans"]++
			case in.Op == kvcheck.OpBatch:
				counts["batches"]++
			}
			if !out.Unknown && out.Source != 0 {
				last[out.Source] = max(last[out.Source], op.Return)
			}
		}
		if parts := kvcheck.Partition(ops); r.clients[0].wl.multi && len(parts) == 1 {
			counts["whole-map histories"]++
		}
	}
	t.Logf("20 seeds of profile all: %v", counts)
	for _, k := range []string{"stale reads", "stale reads after an answer of their source", "scans", "prefix scans", "batches", "whole-map histories"} {
		if counts[k] == 0 {
			t.Errorf("no %s in 20 seeds", k)
		}
	}
}
