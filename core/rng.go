package core

// rng is a small deterministic generator (SplitMix64). The core owns one,
// seeded from Config.Seed, so timeouts and nonces repeat with the seed.
type rng struct{ state uint64 }

func (g *rng) next() uint64 {
	g.state += 0x9e3779b97f4a7c15
	z := g.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n). n must be positive.
func (g *rng) intn(n int) int {
	if n <= 0 {
		panic("core: rng.intn with non-positive bound")
	}
	return int(g.next() % uint64(n))
}
