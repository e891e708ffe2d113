package loadgen

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestWrittenCountsDistinctKeys(t *testing.T) {
	w := newWritten(130)
	for _, i := range []uint64{0, 63, 64, 129, 0, 64, 129} {
		w.mark(i)
	}
	if got := w.distinct(); got != 4 {
		t.Fatalf("distinct %d, want 4", got)
	}
}

// TestProgressCountsKeysWritten: the progress snapshots count the
// distinct keys that writes reached (all 20 within the first second of
// back-to-back writes), and no key that was only read.
func TestProgressCountsKeysWritten(t *testing.T) {
	for _, tc := range []struct {
		readRatio float64
		want      int64
	}{{0.5, 20}, {1, 0}} {
		f := newFakeStore()
		var mu sync.Mutex
		var last Snapshot
		cfg := Config{Clients: 2, Duration: 1500 * time.Millisecond, Keys: 20, ReadRatio: tc.readRatio,
			Progress: func(s Snapshot) { mu.Lock(); last = s; mu.Unlock() }}
		if _, err := Run(context.Background(), cfg, f); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := last.KeysWritten
		mu.Unlock()
		if got != tc.want || (tc.want > 0 && len(f.data) != int(tc.want)) {
			t.Fatalf("read ratio %.1f: %d keys written by the progress, %d in the store, want %d", tc.readRatio, got, len(f.data), tc.want)
		}
	}
}
