package driver

import (
	"testing"
	"time"
)

func TestClockMakesUpForPauses(t *testing.T) {
	c := Clock{period: 10 * time.Millisecond, maxBurst: 100}
	steps := []struct {
		at   time.Duration
		want int64
	}{
		{35 * time.Millisecond, 3},
		{35 * time.Millisecond, 0},
		{41 * time.Millisecond, 1},
		{500 * time.Millisecond, 46}, // a pause of 459ms: every tick given
		{5 * time.Second, 100},       // a long pause: capped
		{5010 * time.Millisecond, 1}, // then on schedule again
		{5005 * time.Millisecond, 0}, // never backwards
	}
	for _, s := range steps {
		if got := c.Due(s.at); got != s.want {
			t.Fatalf("due at %v = %d, want %d", s.at, got, s.want)
		}
	}
}
