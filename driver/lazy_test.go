package driver

import (
	"slices"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
)

// TestLazySavesKeepsTheNewestUntilAsked walks a lazy saver through its
// states: idle (checkpoints kept, reported once), asked (the newest kept
// one handed back to be written, later ones written), and idle again
// once the window passed without a GetCheckpoint.
func TestLazySavesKeepsTheNewestUntilAsked(t *testing.T) {
	l := LazySaves{On: true, Window: time.Second}
	ck := func(op uint64) *core.Checkpoint { return &core.Checkpoint{Op: op} }
	for op := uint64(1); op <= 3; op++ {
		if !l.Keep(time.Duration(op)*time.Millisecond, ck(op), core.HardState{}) {
			t.Fatalf("checkpoint %d written while no peer asked", op)
		}
	}
	if got := l.TakeSaved(); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("reported %v; want [1 2 3]", got)
	}
	if got := l.TakeSaved(); got != nil {
		t.Fatalf("reported %v again", got)
	}
	got, _, ok := l.Asked(10 * time.Millisecond)
	if !ok || got.Op != 3 {
		t.Fatalf("asked: got %v, %v; want the newest kept, op 3", got, ok)
	}
	if _, _, ok := l.Asked(20 * time.Millisecond); ok {
		t.Fatal("asked again within the window: the kept one handed out twice")
	}
	if l.Keep(500*time.Millisecond, ck(4), core.HardState{}) {
		t.Fatal("checkpoint 4 kept within the window; want it written")
	}
	// The window runs from the last GetCheckpoint (20 ms): idle after 1.02 s.
	if l.Keep(time.Second, ck(5), core.HardState{}) {
		t.Fatal("checkpoint 5 kept within the window; want it written")
	}
	if !l.Keep(1100*time.Millisecond, ck(6), core.HardState{}) {
		t.Fatal("checkpoint 6 written after the window; want it kept")
	}
	if got := l.TakeSaved(); !slices.Equal(got, []uint64{6}) {
		t.Fatalf("reported %v; want [6]", got)
	}
	eager := LazySaves{}
	if eager.Keep(0, ck(1), core.HardState{}) {
		t.Fatal("a saver that is not On kept a checkpoint")
	}
	if _, _, ok := eager.Asked(0); ok {
		t.Fatal("a saver that is not On handed out a checkpoint")
	}
}
