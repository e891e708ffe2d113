package loadgen

import (
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	prevHigh := uint64(0)
	for i := 1; i < numBuckets; i++ {
		high := bucketHigh(i)
		if high <= prevHigh {
			t.Fatalf("bucket %d high %d not above bucket %d high %d", i, high, i-1, prevHigh)
		}
		low := prevHigh + 1
		if bucketOf(low) != i || bucketOf(high) != i {
			t.Fatalf("bucket %d [%d,%d]: bucketOf gives %d and %d", i, low, high, bucketOf(low), bucketOf(high))
		}
		if width := high - low + 1; width > 1 && float64(width)/float64(low) > 1.0/64 {
			t.Fatalf("bucket %d [%d,%d] is wider than 1/64 of its values", i, low, high)
		}
		prevHigh = high
	}
	if bucketOf(1<<62) != numBuckets-1 {
		t.Fatalf("huge values must land in the last bucket")
	}
}

func TestQuantilesOfKnownInputs(t *testing.T) {
	var h Histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.9, 9000 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {0.999, 9990 * time.Microsecond}} {
		got := h.Quantile(c.q)
		if got < c.want || float64(got-c.want) > float64(c.want)/64 {
			t.Errorf("q%v = %v, want %v (+1/64 at most)", c.q, got, c.want)
		}
	}
	if h.Max() != 10*time.Millisecond || h.Min() != time.Microsecond || h.Quantile(1) != 10*time.Millisecond {
		t.Errorf("max %v, min %v, q1 %v: want 10ms, 1µs, 10ms", h.Max(), h.Min(), h.Quantile(1))
	}
	if h.Mean() != 5000500*time.Nanosecond || h.Count() != 10000 {
		t.Errorf("mean %v count %d, want 5.0005ms and 10000", h.Mean(), h.Count())
	}
}

func TestSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i))
	}
	if h.Quantile(0.5) != 50 || h.Quantile(0.9) != 90 || h.Quantile(0) != 1 {
		t.Fatalf("p50 %d p90 %d p0 %d, want 50 90 1", h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0))
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	var a, b, all Histogram
	for i := range 5000 {
		d := time.Duration(i*i) * time.Nanosecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var empty Histogram
	a.Merge(&b)
	a.Merge(&empty)
	if a != all {
		t.Fatalf("merged histogram differs from the one that saw every value")
	}
}

func TestEmptyHistogram(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Fatalf("empty histogram should report zeros")
	}
	h.Record(-time.Second)
	if h.Max() != 0 || h.Count() != 1 {
		t.Fatalf("negative durations should count as zero")
	}
}
