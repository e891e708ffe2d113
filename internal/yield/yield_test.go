package yield

import (
	"bytes"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
)

// ranDuring reports whether a goroutine started before work ran before
// work returned, on one processor: only if work gave the processor up
// (work never blocks, and ends well before the runtime would preempt it).
func ranDuring(work func()) bool {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var ran atomic.Bool
	go ran.Store(true)
	work()
	return ran.Load()
}

func TestWriterYields(t *testing.T) {
	chunk := make([]byte, 4<<10)
	if !ranDuring(func() {
		w := &Writer{W: io.Discard}
		for range 2 * Every / len(chunk) {
			_, _ = w.Write(chunk)
		}
	}) {
		t.Fatal("a goroutine waiting for the processor did not run while 128 KiB went through a Writer")
	}
}

func TestReaderYields(t *testing.T) {
	if !ranDuring(func() {
		_, _ = io.Copy(io.Discard, &Reader{R: bytes.NewReader(make([]byte, 2*Every))})
	}) {
		t.Fatal("a goroutine waiting for the processor did not run while 128 KiB were read through a Reader")
	}
}

func TestCounterYields(t *testing.T) {
	if !ranDuring(func() {
		c := Counter{Steps: 100}
		for range 200 {
			c.Tick()
		}
	}) {
		t.Fatal("a goroutine waiting for the processor did not run during 200 ticks of a Counter of 100 steps")
	}
}

// TestWithoutYieldNothingRuns shows the tests above can fail: the same
// work without yielding lets no other goroutine run.
func TestWithoutYieldNothingRuns(t *testing.T) {
	chunk := make([]byte, 4<<10)
	if ranDuring(func() {
		for range 2 * Every / len(chunk) {
			_, _ = io.Discard.Write(chunk)
		}
	}) {
		t.Fatal("another goroutine ran without a yield: ranDuring cannot tell")
	}
}

// TestPassesBytesThrough: what goes through a Writer or Reader arrives
// whole and in order.
func TestPassesBytesThrough(t *testing.T) {
	src := make([]byte, 3*Every+17)
	for i := range src {
		src[i] = byte(i * 7)
	}
	var dst bytes.Buffer
	if _, err := io.Copy(&Writer{W: &dst}, &Reader{R: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.Bytes(), src) {
		t.Fatal("bytes changed on their way through")
	}
}
