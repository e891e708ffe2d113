package loadgen

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func TestRunOpsCountsAndReadRatio(t *testing.T) {
	f := newFakeStore()
	cfg := Config{Clients: 8, Ops: 20000, Keys: 500, ValueSize: 64, ReadRatio: 0.3, KeySize: 10, Seed: 7}
	res, err := Run(context.Background(), cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 20000 || res.Errors != 0 || f.gets+f.puts != 20000 {
		t.Fatalf("ops %d errors %d calls %d, want 20000, 0, 20000", res.Ops, res.Errors, f.gets+f.puts)
	}
	if res.Reads != int64(f.gets) || res.Writes != int64(f.puts) || res.Reads+res.Writes != res.Ops {
		t.Fatalf("reads %d writes %d, store saw %d gets %d puts", res.Reads, res.Writes, f.gets, f.puts)
	}
	if ratio := float64(res.Reads) / float64(res.Ops); math.Abs(ratio-0.3) > 0.02 {
		t.Fatalf("read ratio %.3f, want 0.3 +- 0.02", ratio)
	}
	if res.Elapsed <= 0 || res.Throughput <= 0 || res.P50 > res.P99 || res.P99 > res.Max {
		t.Fatalf("implausible summary: %+v", res)
	}
	for k, v := range f.data {
		if len(k) != 10 || len(v) != 64 {
			t.Fatalf("key %q (%d bytes) value of %d bytes, want 10 and 64", k, len(k), len(v))
		}
	}
	if len(f.hits) > 500 {
		t.Fatalf("%d distinct keys, want at most 500", len(f.hits))
	}
}

func TestRunAllReadsAndAllWrites(t *testing.T) {
	for _, ratio := range []float64{0, 1} {
		f := newFakeStore()
		res, err := Run(context.Background(), Config{Clients: 3, Ops: 999, Keys: 10, ReadRatio: ratio}, f)
		if err != nil {
			t.Fatal(err)
		}
		if ratio == 0 && (f.gets != 0 || res.Writes != 999) || ratio == 1 && (f.puts != 0 || res.Reads != 999) {
			t.Fatalf("read ratio %v: %d gets, %d puts", ratio, f.gets, f.puts)
		}
	}
}

func TestRunCountsErrors(t *testing.T) {
	f := newFakeStore()
	f.failEvery = 10
	res, err := Run(context.Background(), Config{Clients: 4, Ops: 10000, Keys: 100}, f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 1000 || res.Ops != 9000 || res.FirstError != errFake.Error() {
		t.Fatalf("errors %d ops %d first %q, want 1000, 9000, %q", res.Errors, res.Ops, res.FirstError, errFake)
	}
	if res.Max == 0 || res.CPUSeconds < 0 && res.CPUPer1000 != -1 {
		t.Fatalf("implausible summary: %+v", res)
	}
}

func TestZipfSkewIsVisible(t *testing.T) {
	hottest := func(dist string) (string, float64) {
		f := newFakeStore()
		cfg := Config{Clients: 4, Ops: 40000, Keys: 1000, Distribution: dist, KeySize: 4}
		if _, err := Run(context.Background(), cfg, f); err != nil {
			t.Fatal(err)
		}
		best, n := "", 0
		for k, c := range f.hits {
			if c > n {
				best, n = k, c
			}
		}
		return best, float64(n) / 40000
	}
	key, share := hottest(Zipf)
	if key != "0000" || share < 0.10 {
		t.Fatalf("zipf: hottest key %q has %.3f of the operations, want key 0000 with >= 0.10", key, share)
	}
	if _, share := hottest(Uniform); share > 0.005 {
		t.Fatalf("uniform: hottest key has %.4f of the operations, want <= 0.005", share)
	}
}

func TestZipfWithOneKey(t *testing.T) {
	f := newFakeStore()
	if _, err := Run(context.Background(), Config{Clients: 2, Ops: 50, Keys: 1, Distribution: Zipf}, f); err != nil {
		t.Fatal(err)
	}
	if len(f.hits) != 1 || f.hits["00000000"] != 50 {
		t.Fatalf("hits %v, want 50 on key 00000000", f.hits)
	}
}

func TestSameSeedSameKeys(t *testing.T) {
	keys := func(seed uint64) map[string]int {
		f := newFakeStore()
		if _, err := Run(context.Background(), Config{Clients: 1, Ops: 300, Keys: 1000, Seed: seed}, f); err != nil {
			t.Fatal(err)
		}
		return f.hits
	}
	a, b, c := keys(1), keys(1), keys(2)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatal("same seed gave different keys")
	}
	for k, n := range a {
		if b[k] != n {
			t.Fatal("same seed gave different keys")
		}
	}
	same := 0
	for k := range c {
		if a[k] > 0 {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("another seed gave the same keys")
	}
}

func TestDurationRunMeasuresAtLeastItsDuration(t *testing.T) {
	f := newFakeStore()
	res, err := Run(context.Background(), Config{Clients: 2, Duration: 30 * time.Millisecond, Keys: 10, Warmup: 10 * time.Millisecond}, f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Elapsed < 30*time.Millisecond || int64(f.gets+f.puts) < res.Ops {
		t.Fatalf("elapsed %v ops %d calls %d", res.Elapsed, res.Ops, f.gets+f.puts)
	}
}

func TestWarmupIsNotMeasured(t *testing.T) {
	f := newFakeStore()
	res, err := Run(context.Background(), Config{Clients: 2, Ops: 100, Keys: 10, Warmup: 20 * time.Millisecond}, f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 100 || f.gets+f.puts < 100 {
		t.Fatalf("measured %d ops, store saw %d; want exactly 100 measured", res.Ops, f.gets+f.puts)
	}
}

func TestCancelStopsRun(t *testing.T) {
	f := newFakeStore()
	f.block = func(ctx context.Context) { <-ctx.Done() }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, Config{Clients: 4, Ops: 100, Keys: 10}, f)
	if !errors.Is(err, context.Canceled) || res.Errors != 0 {
		t.Fatalf("got %v with %d errors, want context.Canceled and no errors", err, res.Errors)
	}
}

func TestProgressIsReported(t *testing.T) {
	f := newFakeStore()
	first := make(chan struct{})
	var once sync.Once
	var snap Snapshot
	f.block = func(ctx context.Context) {
		select { // every operation waits for the first progress report
		case <-first:
		case <-ctx.Done():
		}
	}
	cfg := Config{Clients: 2, Ops: 10, Keys: 10, Progress: func(s Snapshot) {
		once.Do(func() { snap = s; close(first) })
	}}
	if _, err := Run(context.Background(), cfg, f); err != nil {
		t.Fatal(err)
	}
	if snap.Elapsed <= 0 || snap.Ops != 0 || snap.Warmup {
		t.Fatalf("first snapshot %+v, want positive elapsed and no ops yet", snap)
	}
}

// TestProgressLatencies: every operation takes at least 20ms, so each
// progress interval with operations reports a p99 of at least that, and a
// max no lower than its p99.
func TestProgressLatencies(t *testing.T) {
	f := newFakeStore()
	f.block = func(ctx context.Context) {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	var mu sync.Mutex
	var snaps []Snapshot
	cfg := Config{Clients: 2, Duration: 2500 * time.Millisecond, Keys: 10, Progress: func(s Snapshot) {
		mu.Lock()
		snaps = append(snaps, s)
		mu.Unlock()
	}}
	if _, err := Run(context.Background(), cfg, f); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	seen := 0
	for _, s := range snaps {
		if s.Rate == 0 {
			continue
		}
		seen++
		if s.P99 < 20*time.Millisecond || s.Max < s.P99 {
			t.Fatalf("snapshot %+v: want p99 >= 20ms and max >= p99", s)
		}
	}
	if seen == 0 {
		t.Fatalf("no progress interval with operations among %d snapshots", len(snaps))
	}
}
