package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// leaseScenario scripts the hazard read leases guard against, on 3
// replicas with clocks at the edges of the drift bound that skew implies:
// primary 0 ticks slowly (period ×(1+skew)), backups 1 and 2 fast
// (×(1−skew)), and one key.
//
//  1. Until 300ms all is well; clients 0-2 only read (KindRead), client 3
//     reads and writes.
//  2. From 300ms to 1200ms primary 0 is cut off from the backups; clients
//     0-2 can reach only replica 0 and client 3 only the backups. The backups
//     change view as soon as their lease promises allow, and client 1
//     writes in the new view, while replica 0 answers client 0's reads for
//     as long as it believes its lease holds.
//
// A lease that outlives the backups' promises returns a value the new
// view has already overwritten: the history is not linearizable.
func leaseScenario(t *testing.T, seed uint64, skew float64, bugs plant.Bugs) (Result, error) {
	t.Helper()
	fc, err := Profile("none")
	if err != nil {
		t.Fatal(err)
	}
	fc.Name, fc.Skew, fc.EagerClients = "lease-scenario", skew, true
	opts, err := Options{
		Seed: seed, Replicas: 3, Clients: 4, Keys: 1, Faults: fc, Bugs: bugs,
		FaultDuration: 1500 * time.Millisecond,
	}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		opts.Log, opts.LogMessages = testLog{t}, true
	}
	r := newRun(opts)
	r.replay = "go test ./sim -run TestScenarioLease -v"
	r.readers = map[int]bool{0: true, 1: true, 2: true}
	r.start()
	base := float64(us(opts.Tick))
	for i, rep := range r.replicas {
		f := 1 - skew
		if i == 0 {
			f = 1 + skew
		}
		r.setPeriod(rep, int64(base*f))
	}
	r.runUntil(300_000)
	writer := r.n + 3
	r.net.drop = func(from, to int, _ message.Message) bool {
		side := func(node int) int {
			if node == 0 || (node >= r.n && node != writer) {
				return 0
			}
			return 1
		}
		return side(from) != side(to)
	}
	r.runUntil(1_200_000)
	r.net.drop = nil
	r.runUntil(r.endAt)
	return r.finish()
}

// leaseSeeds is how many seeds of the scenario each check plays.
const leaseSeeds = 20

// TestScenarioLease plays the scenario with clocks at the edges of the
// drift bound: correct leases answer reads and never a stale one, at skew
// 0.2 (the profiles' skew) and 0.3; the planted LeaseIgnoresDrift (the
// primary trusts its clock as if drift were 0) returns stale reads at skew
// 0.3. At 0.2 its lease outlives the promises by 16ms only, less than a
// view change and a write take here, so the scenario cannot show it there.
func TestScenarioLease(t *testing.T) {
	for _, skew := range []float64{0.2, 0.3} {
		reads := 0
		for seed := uint64(1); seed <= leaseSeeds; seed++ {
			res, err := leaseScenario(t, seed, skew, plant.Bugs{})
			if err != nil {
				t.Fatalf("skew %.1f seed %d: correct leases fail the scenario: %v", skew, seed, err)
			}
			if res.ViewChanges == 0 {
				t.Fatalf("skew %.1f seed %d: no view change: %+v", skew, seed, res)
			}
			reads += res.LeaseReads
		}
		t.Logf("skew %.1f: correct leases answered %d reads in %d seeds, none stale", skew, reads, leaseSeeds)
		if reads == 0 {
			t.Fatalf("skew %.1f: no read was answered under a lease", skew)
		}
	}
	caught := 0
	for seed := uint64(1); seed <= leaseSeeds; seed++ {
		_, err := leaseScenario(t, seed, 0.3, plant.Bugs{LeaseIgnoresDrift: true})
		var v *Violation
		switch {
		case errors.As(err, &v) && v.Kind == KindLinearizability:
			caught++
		case err != nil:
			t.Fatalf("seed %d: the planted bug failed otherwise: %v", seed, err)
		}
	}
	t.Logf("skew 0.3: planted LeaseIgnoresDrift caught as a stale read in %d of %d seeds", caught, leaseSeeds)
	if caught == 0 {
		t.Fatal("planted LeaseIgnoresDrift never caught")
	}
}
