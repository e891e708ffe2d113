package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestCheckpointFetchKeepsChunksInFlight: a replica fetching a checkpoint
// of many chunks keeps several requested at once (up to the fetch window
// of 8), asks each offset once when nothing is lost, and installs the
// checkpoint. Asking one chunk per round trip made a restarted backup
// wait 160 s for 1.3 GB (docs/benchmarks.md).
func TestCheckpointFetchKeepsChunksInFlight(t *testing.T) {
	c := newClusterWith(t, 3, checkpointEvery5)
	runOps(c, 22)
	asked := map[uint64]int{}
	inFlight, most, chunks := 0, 0, 0
	c.onOutput = func(i int, out core.Output) {
		for _, e := range out.Messages {
			switch m := e.Msg.(type) {
			case *message.GetCheckpoint:
				if i == 2 {
					asked[m.Offset]++
					inFlight++
					most = max(most, inFlight)
				}
			case *message.CheckpointChunk:
				if e.To == 2 {
					inFlight--
					chunks++
				}
			}
		}
	}
	c.start(2, true) // replica 2 lost its state; the primary's log starts at 15
	c.tick(20)
	if got := c.info(2); got.Status != core.StatusNormal || got.Executed != 23 {
		t.Fatalf("after recovery: %+v", got)
	}
	if chunks <= 8 {
		t.Fatalf("the checkpoint came in %d chunks; the test needs more than the window", chunks)
	}
	if most < 2 || most > 8 {
		t.Errorf("at most %d chunks requested at once, want 2..8", most)
	}
	for off, n := range asked {
		if n > 1 {
			t.Errorf("offset %d asked %d times with nothing lost", off, n)
		}
	}
	t.Logf("%d chunks, %d offsets asked, at most %d in flight", chunks, len(asked), most)
}
