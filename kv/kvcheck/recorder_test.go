package kvcheck

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/vr-go/vr/kv"
)

func TestRecorderTimestamps(t *testing.T) {
	clock := int64(10)
	r := NewRecorder(func() int64 { return clock })
	a := r.Begin(0, put("a"))
	r.End(a, ver(1))
	b := r.Begin(1, get()) // same clock reading: must still follow a's return
	clock = 12
	c := r.Begin(2, put("c"))
	r.EndUnknown(c)
	d := r.Begin(3, del())
	r.Discard(d)
	ops := r.Operations()
	if len(ops) != 3 {
		t.Fatalf("got %d operations, want 3 (one discarded)", len(ops))
	}
	if ops[0].Call != 10 || ops[0].Return != 11 || ops[1].Call != 12 || ops[2].Call != 13 {
		t.Fatalf("timestamps not strictly increasing in record order: %+v", ops)
	}
	if ops[1].Return != math.MaxInt64 || !ops[1].Output.(Output).Unknown {
		t.Fatalf("pending op %d not reported unknown: %+v", b, ops[1])
	}
	if ops[2].Return != math.MaxInt64 || !ops[2].Output.(Output).Unknown {
		t.Fatalf("unknown op not open-ended: %+v", ops[2])
	}
}

func TestRecorderStaleReadAtSameInstant(t *testing.T) {
	// A simulator completes a write and issues a read in the same tick: the
	// read must not count as concurrent with the write.
	r := NewRecorder(func() int64 { return 0 })
	id := r.Begin(0, put("a"))
	r.End(id, ver(1))
	id = r.Begin(0, put("b"))
	r.End(id, ver(2))
	id = r.Begin(1, get())
	r.End(id, found("a", 1))
	if res, err := Check(context.Background(), r.Operations(), 0); res != porcupine.Illegal || err != nil {
		t.Fatalf("stale read at one instant: %v %v", res, err)
	}
}

func TestRecorderMisusePanics(t *testing.T) {
	r := NewRecorder(func() int64 { return 0 })
	id := r.Begin(0, get())
	r.End(id, absent)
	for name, f := range map[string]func(){
		"double end":    func() { r.End(id, absent) },
		"discard ended": func() { r.Discard(id) },
		"unknown id":    func() { r.EndUnknown(7) },
		"negative id":   func() { r.End(-1, absent) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// lockedStore is a kv.Store behind a mutex: linearizable by construction.
// With stale set it serves reads from a copy taken at the first read.
type lockedStore struct {
	mu    sync.Mutex
	s     *kv.Store
	stale *kv.Store
}

func (l *lockedStore) exec(c kv.Command) kv.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.Kind == kv.KindGet && l.stale != nil {
		if l.stale.Len() == 0 {
			_ = l.stale.Restore(bytes.NewReader(l.s.Bytes()))
		}
		return l.stale.Execute(c)
	}
	return l.s.Execute(c)
}

// runClients drives store from several goroutines and records the history.
func runClients(t *testing.T, store *lockedStore) []porcupine.Operation {
	var tick int64 // the Recorder reads its clock under its own lock
	rec := NewRecorder(func() int64 { tick++; return tick })
	var wg sync.WaitGroup
	for client := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(client), 1))
			for range 100 {
				c := randomCommand(rng)
				in, _ := InputOf(c)
				id := rec.Begin(client, in)
				res := store.exec(c)
				out, ok := OutputOf(res)
				if !ok {
					t.Errorf("store rejected %v: %v", c.Kind, res.Err())
				}
				rec.End(id, out)
			}
		})
	}
	wg.Wait()
	return rec.Operations()
}

func randomCommand(rng *rand.Rand) kv.Command {
	key := []byte(fmt.Sprintf("k%d", rng.IntN(3)))
	val := []byte(fmt.Sprintf("v%d", rng.IntN(100)))
	switch rng.IntN(5) {
	case 0, 1:
		return kv.NewGet(key)
	case 2:
		return kv.NewPut(key, val)
	case 3:
		return kv.NewDelete(key)
	}
	return kv.NewCAS(key, uint64(rng.IntN(40)), val)
}

func TestEndToEndWithStore(t *testing.T) {
	ops := runClients(t, &lockedStore{s: kv.New(kv.Limits{})})
	if res, err := Check(context.Background(), ops, 0); res != porcupine.Ok || err != nil {
		t.Fatalf("real store history: %v %v", res, err)
	}
	ops = runClients(t, &lockedStore{s: kv.New(kv.Limits{}), stale: kv.New(kv.Limits{})})
	if res, err := Check(context.Background(), ops, 0); res != porcupine.Illegal || err != nil {
		t.Fatalf("store serving stale reads: %v %v", res, err)
	}
}

func TestConvert(t *testing.T) {
	in, ok := InputOf(kv.NewCAS([]byte("k"), 3, []byte("v")))
	if !ok || !reflect.DeepEqual(in, Input{Op: OpCAS, Key: "k", Expected: 3, Value: "v"}) {
		t.Fatalf("InputOf(CAS) = %+v %v", in, ok)
	}
	out, ok := OutputOf(kv.Result{Kind: kv.KindGet, Found: true, Value: []byte("v"), Version: 4})
	if !ok || !reflect.DeepEqual(out, found("v", 4)) {
		t.Fatalf("OutputOf(get) = %+v %v", out, ok)
	}
	if _, ok := OutputOf(kv.Result{Kind: kv.KindPut, Code: kv.CodeValueTooLarge}); ok {
		t.Fatal("rejected results must not convert")
	}
}
