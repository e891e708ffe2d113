package pebblekv

import (
	"math/rand/v2"

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

// op returns one random encoded command, sometimes malformed.
func (g *gen) op() []byte {
	switch g.r.IntN(20) {
	case 0, 1, 2, 3:
		return kv.NewGet(g.key()).Encode()
	case 4, 5, 6, 7, 8, 9:
		return kv.NewPut(g.key(), g.value()).Encode()
	case 10, 11:
		return kv.NewDelete(g.key()).Encode()
	case 12, 13, 14:
		k := g.key()
		return kv.NewCAS(k, g.expected(k), g.value()).Encode()
	case 15, 16:
		return kv.NewScan(g.key(), g.key(), g.r.IntN(11)-1).Encode()
	case 17, 18:
		return kv.NewScanPrefix(g.key(), g.r.IntN(11)-1).Encode()
	}
	junk := make([]byte, g.r.IntN(8))
	for i := range junk {
		junk[i] = byte(g.r.IntN(8))
	}
	return junk
}
