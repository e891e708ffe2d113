package pebblekv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vr-go/vr/kv"
)

// BenchmarkApplyPut overwrites random keys of a store loaded with keys
// of 1 KiB values, through Apply as a replica does, for kv.Store and
// pebblekv.Store side by side.
func BenchmarkApplyPut(b *testing.B) {
	const keys = 200_000
	value := make([]byte, 1024)
	for i := range value {
		value[i] = byte(i * 7)
	}
	engines := map[string]func(b *testing.B) interface{ Apply(uint64, []byte) []byte }{
		"kv": func(*testing.B) interface{ Apply(uint64, []byte) []byte } { return kv.New(kv.Limits{}) },
		"pebble": func(b *testing.B) interface{ Apply(uint64, []byte) []byte } {
			return openTest(b, kv.Limits{})
		},
	}
	for _, name := range []string{"kv", "pebble"} {
		b.Run(name, func(b *testing.B) {
			s := engines[name](b)
			for i := range keys {
				s.Apply(uint64(i+1), kv.NewPut(fmt.Appendf(nil, "key%08d", i), value).Encode())
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			rng := rand.New(rand.NewPCG(1, 1))
			key := make([]byte, 0, 16)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				key = fmt.Appendf(key[:0], "key%08d", rng.IntN(keys))
				s.Apply(uint64(keys+i+1), kv.NewPut(key, value).Encode())
			}
		})
	}
}
