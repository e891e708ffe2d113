package sim

import (
	"errors"
	"testing"
)

// TestPebbleEngineRunsLikeKV runs seeds of the profiles that exercise the
// state machine hardest (checkpoints, deltas, state transfer, restarts
// from disk, reconfiguration) with the pebble engine and with kv: the
// pebble runs must pass every check, and since pebblekv gives
// byte-identical results, snapshots and deltas, each must be the very
// same run as kv's (the same trace hash). Only the choice between a delta
// and a whole checkpoint may differ (kv stops tracking changes at half its
// key count, pebblekv at 64 MiB), which changes the bytes transferred and
// so the run; the large profile, whose values are up to 1 MiB, has such
// seeds, so there the pebble runs need only pass.
func TestPebbleEngineRunsLikeKV(t *testing.T) {
	same := []string{"all", "checkpoint", "durable", "disk", "lost-checkpoint", "retain", "reconfig-durable", "lagging-backups"}
	seeds := []uint64{1, 2, 3, 4}
	if testing.Short() {
		seeds = seeds[:2]
	}
	equal, runs, saved, installed := 0, 0, 0, 0
	for _, profile := range append(same, "large") {
		for _, seed := range seeds {
			kvRes, kvErr := Run(Options{Seed: seed, Profile: profile})
			pbRes, pbErr := Run(Options{Seed: seed, Profile: profile, Engine: EnginePebble})
			if pbErr != nil {
				t.Fatalf("profile %s seed %d, pebble engine: %v (kv: %v)", profile, seed, pbErr, kvErr)
			}
			if kvErr != nil {
				t.Fatalf("profile %s seed %d, kv engine: %v", profile, seed, kvErr)
			}
			saved, installed = saved+pbRes.CheckpointsSaved, installed+pbRes.CheckpointsInstalled
			if pbRes.Steps < 1000 {
				t.Fatalf("profile %s seed %d: a suspicious pebble run: %+v", profile, seed, pbRes)
			}
			runs++
			if pbRes.TraceHash == kvRes.TraceHash {
				equal++
			} else if profile != "large" {
				t.Errorf("profile %s seed %d: the pebble engine's run (trace %016x) is not kv's (%016x)",
					profile, seed, pbRes.TraceHash, kvRes.TraceHash)
			}
		}
	}
	t.Logf("%d of %d pebble runs were kv's run exactly; they saved %d checkpoints and installed %d", equal, runs, saved, installed)
	if saved < 100 || installed < 10 {
		t.Fatalf("the pebble runs saved %d checkpoints and installed %d: too few to have tested the engine", saved, installed)
	}
}

func TestBadEngine(t *testing.T) {
	if _, err := Run(Options{Seed: 1, Engine: "rocks"}); !errors.Is(err, ErrBadOptions) {
		t.Fatalf("engine rocks: %v, want ErrBadOptions", err)
	}
	if _, err := Run(Options{Seed: 1, Engine: EnginePebble, KVFreeAtOnce: true}); !errors.Is(err, ErrBadOptions) {
		t.Fatalf("the pebble engine with a kv plant: %v, want ErrBadOptions", err)
	}
}
