package loadgen

import "math/rand/v2"

// valueSlack is how many extra random bytes a client keeps so that
// successive values start at different offsets of its random buffer.
const valueSlack = 1024

// workload is one client's source of operations. Its slices are reused:
// a Target must not keep or modify them after a call returns.
type workload struct {
	r         *rand.Rand
	zipf      *rand.Zipf // nil for Uniform
	keys      uint64
	readRatio float64
	key       []byte
	index     uint64 // the index of key
	values    []byte // random bytes; a value is a window of ValueSize
	valueSize int
}

func newWorkload(cfg Config, client int) *workload {
	r := rand.New(rand.NewPCG(cfg.Seed, uint64(client)))
	w := &workload{
		r: r, keys: uint64(cfg.Keys), readRatio: cfg.ReadRatio,
		key: make([]byte, cfg.KeySize), valueSize: cfg.ValueSize,
		values: make([]byte, cfg.ValueSize+valueSlack),
	}
	for i := range w.values {
		w.values[i] = byte(r.Uint32())
	}
	if cfg.Distribution == Zipf {
		w.zipf = rand.NewZipf(r, ZipfS, 1, w.keys-1)
	}
	return w
}

// nextKey picks a key index and formats it into w.key.
func (w *workload) nextKey() []byte {
	var i uint64
	if w.zipf != nil {
		i = w.zipf.Uint64()
	} else {
		i = w.r.Uint64N(w.keys)
	}
	w.index = i
	formatKey(w.key, i)
	return w.key
}

// isRead decides whether the next operation is a Get.
func (w *workload) isRead() bool {
	return w.readRatio > 0 && w.r.Float64() < w.readRatio
}

// nextValue returns ValueSize random bytes.
func (w *workload) nextValue() []byte {
	off := w.r.IntN(valueSlack + 1)
	return w.values[off : off+w.valueSize]
}

// formatKey writes i in decimal into buf, right-aligned and zero-padded to
// the full width of buf; the caller made sure i fits.
func formatKey(buf []byte, i uint64) {
	for j := len(buf) - 1; j >= 0; j-- {
		buf[j] = byte('0' + i%10)
		i /= 10
	}
}

// Key returns the key of index i as Run formats it, for callers that
// preload data: i in decimal, zero-padded to size bytes.
func Key(i uint64, size int) []byte {
	b := make([]byte, size)
	formatKey(b, i)
	return b
}
