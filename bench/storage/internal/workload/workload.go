// Package workload makes the reproducible command streams of the storage
// benchmarks: 16-byte keys, 256-byte random (incompressible) values, and
// uniformly random key choice, all from a fixed seed.
package workload

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/vr-go/vr/kv"
)

// The record sizes of the benchmarks.
const (
	KeySize   = 16
	ValueSize = 256
)

// Key returns the 16-byte key of record i.
func Key(i int) []byte { return fmt.Appendf(make([]byte, 0, KeySize), "k%015d", i) }

// Gen makes commands over the keys 0..n-1.
type Gen struct {
	r *rand.Rand
	n int
}

// New returns a generator over n keys seeded by seed.
func New(seed uint64, n int) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, 0x5eed)), n: n}
}

// Value returns a fresh random value.
func (g *Gen) Value() []byte {
	v := make([]byte, 0, ValueSize)
	for len(v) < ValueSize {
		v = binary.LittleEndian.AppendUint64(v, g.r.Uint64())
	}
	return v
}

// LoadOrder returns the keys 0..n-1 in a random order: the order in which
// Load inserts them.
func (g *Gen) LoadOrder() []int { return g.r.Perm(g.n) }

// PutKey returns an encoded Put of key i with a random value.
func (g *Gen) PutKey(i int) []byte { return kv.NewPut(Key(i), g.Value()).Encode() }

// Put returns an encoded Put of a random existing key.
func (g *Gen) Put() []byte { return g.PutKey(g.r.IntN(g.n)) }

// Get returns an encoded Get of a random existing key.
func (g *Gen) Get() []byte { return kv.NewGet(Key(g.r.IntN(g.n))).Encode() }

// Mix names a command mix.
type Mix string

// The mixes the benchmarks run.
const (
	// PutOnly overwrites random existing keys: the write-heavy case.
	PutOnly Mix = "put"
	// GetPut is half Gets, half Puts of random existing keys.
	GetPut Mix = "get50put50"
	// GetOnly reads random existing keys.
	GetOnly Mix = "get"
)

// Ops returns count encoded commands of the mix.
func (g *Gen) Ops(m Mix, count int) [][]byte {
	ops := make([][]byte, count)
	for i := range ops {
		switch {
		case m == GetOnly, m == GetPut && g.r.IntN(2) == 0:
			ops[i] = g.Get()
		default:
			ops[i] = g.Put()
		}
	}
	return ops
}
