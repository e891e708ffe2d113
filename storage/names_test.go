package storage

import (
	"fmt"
	"math"
	"testing"
)

// TestCheckpointFileNames checks the checkpoint and delta file names
// against the fmt form they replace.
func TestCheckpointFileNames(t *testing.T) {
	for _, op := range []uint64{0, 1, 9, 10, 12345, 1e19, math.MaxUint64} {
		if got, want := CheckpointFile(op), fmt.Sprintf("%s%020d%s", checkpointPrefix, op, checkpointExt); got != want {
			t.Errorf("CheckpointFile(%d) = %q, want %q", op, got, want)
		}
		if got, want := DeltaFile(op), fmt.Sprintf("%s%020d%s", checkpointPrefix, op, deltaExt); got != want {
			t.Errorf("DeltaFile(%d) = %q, want %q", op, got, want)
		}
	}
}
