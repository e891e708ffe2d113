package pebblekv

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// testLimits are small so that random commands hit every limit, including
// the scan byte budget.
var testLimits = kv.Limits{MaxKey: 3, MaxValue: 16, MaxScan: 8, MaxScanBytes: 40}

// gen makes random encoded commands over a tiny key space whose bytes
// include 0x00 and 0xff, so that prefix ends and bounds hit their edges.
type gen struct {
	r   *rand.Rand
	ref *kv.Store // the reference store, for plausible CAS versions
}

var alphabet = []byte{0x00, 'a', 'b', 0xfe, 0xff}

// key returns a random key of 0 to 4 bytes (0 and 4 are invalid keys).
func (g *gen) key() []byte {
	k := make([]byte, g.r.IntN(5))
	for i := range k {
		k[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return k
}

// value returns a random value of 0 to 20 bytes (over 16 is invalid).
func (g *gen) value() []byte {
	v := make([]byte, g.r.IntN(21))
	for i := range v {
		v[i] = byte(g.r.IntN(256))
	}
	return v
}

// expected returns a CAS expectation: often the true version, else 0 or a
// random one.
func (g *gen) expected(key []byte) uint64 {
	switch g.r.IntN(3) {
	case 0:
		if it, found, err := g.ref.Get(key); err == nil && found {
			return it.Version
		}
		return 0
	case 1:
		return 0
	}
	return g.r.Uint64N(g.ref.Revision() + 2)
}

// op returns one random encoded command, sometimes malformed, sometimes
// a batch of commands (whose later commands read the earlier ones' writes).
func (g *gen) op() []byte {
	if g.r.IntN(10) == 0 {
		cmds := make([]kv.Command, 1+g.r.IntN(5))
		for i := range cmds {
			cmds[i] = g.command()
		}
		return kv.NewBatch(cmds).Encode()
	}
	if g.r.IntN(20) == 0 {
		junk := make([]byte, g.r.IntN(8))
		for i := range junk {
			junk[i] = byte(g.r.IntN(8))
		}
		return junk
	}
	return g.command().Encode()
}

// counter returns a value Incr accepts, or not.
func (g *gen) counter() []byte {
	switch g.r.IntN(4) {
	case 0:
		return []byte("9223372036854775806")
	case 1:
		return []byte("x1")
	}
	return []byte(strconv.Itoa(g.r.IntN(200) - 100))
}

// command returns one random command of any kind.
func (g *gen) command() kv.Command {
	switch g.r.IntN(22) {
	case 0, 1, 2, 3:
		return kv.NewGet(g.key())
	case 4, 5, 6, 7, 8:
		return kv.NewPut(g.key(), g.value())
	case 9:
		return kv.NewPut(g.key(), g.counter())
	case 10, 11:
		return kv.NewDelete(g.key())
	case 12, 13, 14:
		k := g.key()
		return kv.NewCAS(k, g.expected(k), g.value())
	case 15, 16:
		return kv.NewScan(g.key(), g.key(), g.r.IntN(11)-1)
	case 17, 18:
		return kv.NewScanPrefix(g.key(), g.r.IntN(11)-1)
	}
	deltas := []int64{1, -1, 7, 1 << 62, -(1 << 62)}
	return kv.NewIncr(g.key(), deltas[g.r.IntN(len(deltas))])
}

// lockstep returns a function that applies n more random ops (of a
// generator seeded with seed) to both ref and got, at the same op-numbers.
func lockstep(seed uint64, ref *kv.Store, got *Store) func(n int) {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed)), ref: ref}
	op := 0
	return func(n int) {
		for range n {
			op++
			c := g.op()
			ref.Apply(uint64(op), c)
			got.Apply(uint64(op), c)
		}
	}
}

// deltaBytes is the delta s writes.
func deltaBytes(t *testing.T, s core.DeltaSnapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.WriteDeltaTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
