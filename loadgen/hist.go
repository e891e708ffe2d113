package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// Histogram layout: values below subCount nanoseconds have a bucket each;
// above that, every power-of-two range [2^k, 2^(k+1)) is split into
// subCount/2 linear buckets, so a bucket is at most 1/64 (1.6%) of its
// values wide. Values of 2^maxBits ns (about 18 minutes) or more share
// the last bucket; Max is still exact.
const (
	subBits    = 7
	subCount   = 1 << subBits
	halfCount  = subCount / 2
	maxBits    = 40
	numBuckets = (maxBits-subBits)*halfCount + subCount
)

// Histogram records latencies in bounded memory (about 17 KiB) with a
// relative error below 1.6%, in the style of HdrHistogram. The zero value
// is empty and ready to use. It is not safe for concurrent use.
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	sum      float64 // nanoseconds, for the mean
	min, max uint64
}

// bucketOf returns the bucket of a value in nanoseconds.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	if v >= 1<<maxBits {
		return numBuckets - 1
	}
	shift := bits.Len64(v) - subBits // >= 1
	top := v >> shift                // in [halfCount, subCount)
	return shift*halfCount + int(top)
}

// bucketHigh is the largest value that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	shift := i/halfCount - 1
	top := uint64(i%halfCount + halfCount)
	return (top+1)<<shift - 1
}

// Record adds one latency; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += float64(v)
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest recorded value (exact).
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Min is the smallest recorded value (exact).
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Mean is the average recorded value.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the value below or at which a fraction q (0..1) of the
// recorded values lie: the upper edge of the bucket holding the value of
// rank ceil(q*n), clamped to [Min, Max]. It is 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(min(max(q, 0), 1) * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := min(max(bucketHigh(i), h.min), h.max)
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}
