package node

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/storage"
)

// BenchmarkCheckpointStall measures how long the replica's loop stalls
// while it checkpoints a large kv state in durable mode (async sync mode,
// so that per-op fsyncs do not hide the checkpoint): a one-replica primary
// whose store holds VR_STALL_MB MiB of 1 KiB values (default 64) executes
// overwrites of random keys, one per loop iteration, across a checkpoint
// and until it is saved, as node.Run does. It reports the longest loop
// iteration (max-stall-ms), the checkpoint write (write-ms), the loop
// iterations run (ops-during), and CPU time per op over the run (user+system of the
// whole process, the background writer included). Run it with
// -benchtime=1x: one iteration is one whole checkpoint. The checkpoint
// interval (VR_STALL_INTERVAL, default 100,000 ops) and the number of ops
// (VR_STALL_OPS) should make one checkpoint fall in the run, so that CPU
// per op compares the same work before and after this change.
func BenchmarkCheckpointStall(b *testing.B) {
	mb, _ := strconv.Atoi(os.Getenv("VR_STALL_MB"))
	if mb <= 0 {
		mb = 64
	}
	const valueSize = 1024
	interval, _ := strconv.ParseUint(os.Getenv("VR_STALL_INTERVAL"), 10, 64)
	if interval == 0 {
		interval = 100_000
	}
	keys := mb << 20 / (valueSize + 16)
	for b.Loop() {
		b.StopTimer()
		h := newStallHarness(b, keys, valueSize, interval)
		runtime.GC()
		b.StartTimer()
		res := h.run(b)
		b.StopTimer()
		b.ReportMetric(float64(res.maxStall.Microseconds())/1000, "max-stall-ms")
		b.ReportMetric(float64(res.write.Microseconds())/1000, "write-ms")
		b.ReportMetric(float64(res.ckptStep.Microseconds())/1000, "ckpt-step-ms")
		b.ReportMetric(float64(res.ops), "ops-during")
		b.ReportMetric(float64(res.slow), "iters>50ms")
		b.ReportMetric(float64(res.cpu.Microseconds())/float64(res.ops), "cpu-µs/op")
		reportMemory(b)
		h.close()
		b.StartTimer()
	}
}

type stallHarness struct {
	st        *storage.Storage
	w         *ckptWriter
	drv       *driver.Driver
	rng       *rand.Rand
	keys      int
	value     []byte
	req       uint64
	start     time.Time
	interval  uint64
	replicaOp func() uint64
}

type stallResult struct {
	maxStall, write, cpu time.Duration
	ckptStep             time.Duration // the iteration that took the checkpoint
	ops                  int
	slow                 int // iterations over 50 ms
}

func newStallHarness(b *testing.B, keys, valueSize int, interval uint64) *stallHarness {
	store := kv.New(kv.Limits{})
	value := make([]byte, valueSize)
	for k := range keys {
		store.Apply(0, kv.NewPut([]byte(fmt.Sprintf("key%012d", k)), value).Encode())
	}
	segment, _ := strconv.ParseInt(os.Getenv("VR_STALL_SEGMENT_MB"), 10, 64)
	cfg := Config{DataDir: b.TempDir(), Sync: SyncAsync, Logger: slog.New(slog.DiscardHandler),
		Peers: []string{"127.0.0.1:1"}, SegmentSize: segment << 20}
	d := newDiscarder()
	d.start()
	defer d.close()
	st, _, err := openStorage(&cfg, newWALMetrics(), d)
	if err != nil {
		b.Fatal(err)
	}
	r, err := core.New(core.Config{ReplicaCount: 1, CheckpointInterval: interval, MaxSessions: 16}, store)
	if err != nil {
		b.Fatal(err)
	}
	w, err := newCkptWriter(st, cfg.Logger, d)
	if err != nil {
		b.Fatal(err)
	}
	h := &stallHarness{st: st, w: w, rng: rand.New(rand.NewPCG(1, 2)), keys: keys, value: value,
		start: time.Now(), interval: interval, replicaOp: func() uint64 { return r.Info().Executed }}
	h.drv = driver.New(r, driver.Config{Network: discard{}, Storage: st, Checkpoints: w,
		Period: DefaultTick, ViewChangeTicks: core.DefaultViewChangeTicks})
	h.step(&message.Request{ClientID: 1, RequestNum: 1, Kind: message.KindRegister})
	for h.replicaOp() < interval-10 {
		h.put()
	}
	return h
}

// run executes ops until a checkpoint was taken and saved, and 1000 more,
// and at least VR_STALL_OPS in all (so that CPU per op compares over the
// same number of ops before and after).
func (h *stallHarness) run(b *testing.B) stallResult {
	var res stallResult
	cpu0 := cpuTime()
	var savedAt, takenAt time.Time
	minOps, _ := strconv.Atoi(os.Getenv("VR_STALL_OPS"))
	for n := 0; savedAt.IsZero() || n < 1000 || res.ops < minOps; n++ {
		t0 := time.Now()
		select {
		case d := <-h.w.done:
			if err := h.w.finish(d); err != nil {
				b.Fatal(err)
			}
			h.drv.CheckpointSaved(d.op)
			savedAt = time.Now()
			n = 0
		default:
			h.put()
		}
		res.maxStall = max(res.maxStall, time.Since(t0))
		if time.Since(t0) > 50*time.Millisecond {
			res.slow++
		}
		res.ops++
		if takenAt.IsZero() && h.replicaOp() >= h.interval {
			takenAt = time.Now()
			res.ckptStep = time.Since(t0)
		}
	}
	res.write = savedAt.Sub(takenAt)
	res.cpu = cpuTime() - cpu0
	return res
}

func (h *stallHarness) put() {
	k := h.rng.IntN(h.keys)
	h.step(&message.Request{ClientID: 1, RequestNum: h.req + 1, Kind: message.KindApp,
		Payload: kv.NewPut([]byte(fmt.Sprintf("key%012d", k)), h.value).Encode()})
}

func (h *stallHarness) step(m *message.Request) {
	h.req = m.RequestNum
	h.drv.Step(time.Since(h.start), m)
	h.drv.Flush()
}

func (h *stallHarness) close() {
	h.w.close()
	h.st.Close()
}

// reportMemory reports the process's resident memory now and at its peak
// (VmRSS, VmHWM), and the heap in use after a collection: the store, the
// replica's log and whatever else is still referenced; with
// VR_STALL_HEAPPROFILE it writes a heap profile there.
func reportMemory(b *testing.B) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse>>20), "heap-MB")
	if path := os.Getenv("VR_STALL_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, _ := strconv.Atoi(f[1])
			b.ReportMetric(float64(kb>>10), map[string]string{"VmRSS:": "rss-MB", "VmHWM:": "peak-rss-MB"}[f[0]])
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type discard struct{}

func (discard) Send(int, message.Message) {}
func (discard) Reply(*message.Reply)      {}
