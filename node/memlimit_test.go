package node

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"
)

type fakeSizer struct {
	n     int64
	owned bool // another goroutine owns the state: Size must not be read
}

func (f *fakeSizer) Size() int64 {
	if f.owned {
		panic("Size read while an install owns the state")
	}
	return f.n
}

// TestMemLimitFollowsState: the derived limit is 2 × data + headroom, at
// least the floor, and moves with the state once it moved by a sixteenth.
func TestMemLimitFollowsState(t *testing.T) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		t.Skip("GOMEMLIMIT is set: the node leaves the limit alone")
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	current := func() int64 { return debug.SetMemoryLimit(-1) }
	sm := &fakeSizer{}
	m := newMemLimit(MemoryLimitFromState, sm, slog.New(slog.DiscardHandler))
	if got := current(); got < minMemoryLimit {
		t.Fatalf("empty state: limit %d, below the floor %d", got, minMemoryLimit)
	}
	if got, want := derived(1<<30, 3<<30), int64(3<<30)*liveFloorNum/liveFloorDen; got != want {
		t.Fatalf("a live heap of 3 GiB over 1 GiB of state: limit %d, want %d (%d/%d × the live heap)", got, want, liveFloorNum, liveFloorDen)
	}
	sm.n = 1 << 30
	m.update(false)
	if got, want := current(), int64(2<<30+memoryHeadroom); got != want {
		t.Fatalf("1 GiB of state: limit %d, want %d", got, want)
	}
	sm.n += 1 << 20 // less than a sixteenth: unchanged
	m.update(false)
	if got, want := current(), int64(2<<30+memoryHeadroom); got != want {
		t.Fatalf("after a small change: limit %d, want %d", got, want)
	}
	sm.n, sm.owned = 0, true // an install released the state and restores it
	m.update(true)
	if got, want := current(), int64(2<<30+memoryHeadroom); got != want {
		t.Fatalf("while installing: limit %d, want %d (from the size last read)", got, want)
	}
	sm.owned = false
	newMemLimit(0, sm, slog.New(slog.DiscardHandler)) // off: leaves it
	if got, want := current(), int64(2<<30+memoryHeadroom); got != want {
		t.Fatalf("MemoryLimit 0 changed the limit to %d", got)
	}
	newMemLimit(3<<30, nil, slog.New(slog.DiscardHandler))
	if got := current(); got != 3<<30 {
		t.Fatalf("fixed limit: %d, want %d", got, 3<<30)
	}
}

// TestRestoringGCPercent: a restart restores its state with GOGC=25 when
// the limit is derived from the state, and leaves the collector alone
// when GOGC or GOMEMLIMIT is set or the limit is fixed or off.
func TestRestoringGCPercent(t *testing.T) {
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	if pct, ok := restoring(MemoryLimitFromState); !ok || pct != restoreGCPercent {
		t.Fatalf("derived limit: %d %v", pct, ok)
	}
	for _, fixed := range []int64{0, 1 << 30} {
		if _, ok := restoring(fixed); ok {
			t.Fatalf("MemoryLimit %d: the collector's percentage changed", fixed)
		}
	}
	t.Setenv("GOGC", "200")
	if _, ok := restoring(MemoryLimitFromState); ok {
		t.Fatal("GOGC set: the collector's percentage changed")
	}
}
