package wal

import (
	"fmt"
	"math"
	"testing"
)

// TestSegFileName checks segFile against the fmt form it replaces and
// parseName's round trip.
func TestSegFileName(t *testing.T) {
	for _, seq := range []uint64{0, 1, 9, 10, 12345, 1e19, math.MaxUint64} {
		want := fmt.Sprintf("%0*d%s", nameDigits, seq, segExt)
		if got := segFile(seq); got != want {
			t.Errorf("segFile(%d) = %q, want %q", seq, got, want)
		}
		if back, ok := parseName(segFile(seq)); !ok || back != seq {
			t.Errorf("parseName(segFile(%d)) = %d, %v", seq, back, ok)
		}
	}
}
