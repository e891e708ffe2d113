package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// BenchmarkApplyDeltaChain: a fetched chain's deltas applied one after
// another to a store of 200,000 keys of 1 KiB, each delta 4,000 random
// keys rewritten (what a diskless backup does after it restored the
// chain's base). Reported per delta. VR_BENCH_LARGE=1 makes it the
// sustained benchmark's size: 1,000,000 keys, deltas of 8,000 keys, a
// chain of 70 (run it with -benchtime 70x).
func BenchmarkApplyDeltaChain(b *testing.B) {
	keys, perDelta, chain := 200_000, 4_000, 20
	if os.Getenv("VR_BENCH_LARGE") != "" {
		keys, perDelta, chain = 1_000_000, 8_000, 70
	}
	src := New(Limits{})
	val := bytes.Repeat([]byte("v"), 1024)
	for i := range keys {
		_, _ = src.Put([]byte(fmt.Sprintf("k%07d", i)), val)
	}
	var base bytes.Buffer
	if _, err := src.Snapshot().WriteTo(&base); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	deltas := make([][]byte, chain)
	for k := range deltas {
		for range perDelta {
			_, _ = src.Put([]byte(fmt.Sprintf("k%07d", rng.IntN(keys))), val[:1000+rng.IntN(24)])
		}
		var d bytes.Buffer
		if _, err := src.Snapshot().(deltaSnapshot).WriteDeltaTo(&d); err != nil {
			b.Fatal(err)
		}
		deltas[k] = d.Bytes()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += chain {
		b.StopTimer()
		dst := New(Limits{})
		if err := dst.Restore(bytes.NewReader(base.Bytes())); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, d := range deltas {
			if err := dst.ApplyDelta(bytes.NewReader(d)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
