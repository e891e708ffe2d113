package kvcheck

import (
	"context"
	"testing"

	"github.com/anishathalye/porcupine"
)

// Helpers for multi-key histories.
func putK(k, v string) Input   { return Input{Op: OpPut, Key: k, Value: v} }
func getK(k string) Input      { return Input{Op: OpGet, Key: k} }
func delK(k string) Input      { return Input{Op: OpDelete, Key: k} }
func batch(ins ...Input) Input { return Input{Op: OpBatch, Batch: ins} }
func scan(start, end string, limit int) Input {
	return Input{Op: OpScan, Key: start, End: end, Limit: limit}
}
func prefix(p string, limit int) Input { return Input{Op: OpScanPrefix, Key: p, Limit: limit} }
func items(its ...Item) Output         { return Output{Items: its} }
func item(k, v string, n uint64) Item  { return Item{Key: k, Value: v, Version: n} }
func batchOut(outs ...Output) Output   { return Output{Batch: outs} }

// ab is a history prefix writing a=a1@1 and b=b1@2, then c=c1@3.
func ab() []porcupine.Operation {
	return []porcupine.Operation{
		op(0, 0, 1, putK("a", "a1"), ver(1)),
		op(0, 2, 3, putK("b", "b1"), ver(2)),
		op(0, 4, 5, putK("c", "c1"), ver(3)),
	}
}

func TestCheckScans(t *testing.T) {
	all := items(item("a", "a1", 1), item("b", "b1", 2), item("c", "c1", 3))
	more := func(o Output) Output { o.More = true; return o }
	tests := []checkCase{
		{"full scan", append(ab(), op(1, 6, 7, scan("", "", 0), all)), porcupine.Ok},
		{"range", append(ab(), op(1, 6, 7, scan("b", "c", 0), items(item("b", "b1", 2)))), porcupine.Ok},
		{"limit", append(ab(), op(1, 6, 7, scan("a", "", 2), more(items(item("a", "a1", 1), item("b", "b1", 2))))), porcupine.Ok},
		{"prefix", append(ab(), op(1, 6, 7, prefix("b", 0), items(item("b", "b1", 2)))), porcupine.Ok},
		{"empty range", append(ab(), op(1, 6, 7, scan("d", "z", 0), Output{})), porcupine.Ok},
		{"drops an item", append(ab(), op(1, 6, 7, scan("", "", 0), items(item("a", "a1", 1), item("c", "c1", 3)))), porcupine.Illegal},
		{"wrong order", append(ab(), op(1, 6, 7, scan("", "", 0), items(item("b", "b1", 2), item("a", "a1", 1), item("c", "c1", 3)))), porcupine.Illegal},
		{"more without limit hit", append(ab(), op(1, 6, 7, scan("", "", 5), more(all))), porcupine.Illegal},
		{"limit hit without more", append(ab(), op(1, 6, 7, scan("a", "", 2), items(item("a", "a1", 1), item("b", "b1", 2)))), porcupine.Illegal},
		{"key out of range", append(ab(), op(1, 6, 7, prefix("a", 0), items(item("a", "a1", 1), item("b", "b1", 2)))), porcupine.Illegal},
		{"key never written", append(ab(), op(1, 6, 7, scan("", "", 0), items(item("a", "a1", 1), item("b", "b1", 2), item("bb", "x", 9), item("c", "c1", 3)))), porcupine.Illegal},
		{"wrong version", append(ab(), op(1, 6, 7, scan("", "", 0), items(item("a", "a1", 1), item("b", "b1", 7), item("c", "c1", 3)))), porcupine.Illegal},
		// b1 was written after a1 was: a snapshot with b1 holds a1.
		{"no snapshot", []porcupine.Operation{
			op(0, 0, 10, putK("a", "a1"), ver(1)),
			op(0, 20, 30, putK("b", "b1"), ver(2)),
			op(1, 5, 35, scan("", "", 0), items(item("b", "b1", 2))),
		}, porcupine.Illegal},
		{"snapshot between", []porcupine.Operation{
			op(0, 0, 10, putK("a", "a1"), ver(1)),
			op(0, 20, 30, putK("b", "b1"), ver(2)),
			op(1, 5, 35, scan("", "", 0), items(item("a", "a1", 1))),
		}, porcupine.Ok},
		{"unknown scan ignored", append(ab(), op(1, 6, 7, scan("", "", 0), unknown)), porcupine.Ok},
		{"scan pins an unknown version", []porcupine.Operation{
			op(0, 0, 1, putK("a", "a1"), unknown),
			op(1, 2, 3, scan("", "", 0), items(item("a", "a1", 4))),
			op(1, 4, 5, getK("a"), found("a1", 5)),
		}, porcupine.Illegal},
	}
	runCheckCases(t, tests)
}

func TestCheckBatches(t *testing.T) {
	// A batch writes a2 and b2 atomically while client 1 reads.
	w := op(0, 10, 20, batch(putK("a", "a2"), putK("b", "b2"), delK("c")),
		batchOut(ver(4), ver(5), removed))
	tests := []checkCase{
		{"scan before", append(ab(), w, op(1, 12, 18, scan("", "", 0), items(item("a", "a1", 1), item("b", "b1", 2), item("c", "c1", 3)))), porcupine.Ok},
		{"scan after", append(ab(), w, op(1, 12, 18, scan("", "", 0), items(item("a", "a2", 4), item("b", "b2", 5)))), porcupine.Ok},
		{"scan sees half", append(ab(), w, op(1, 12, 18, scan("", "", 0), items(item("a", "a2", 4), item("b", "b1", 2), item("c", "c1", 3)))), porcupine.Illegal},
		{"gets see half", append(ab(), w,
			op(1, 12, 13, getK("a"), found("a2", 4)),
			op(1, 14, 15, getK("b"), found("b1", 2))), porcupine.Illegal},
		{"results of another batch", append(ab(), op(0, 10, 20, batch(putK("a", "a2"), delK("c")), batchOut(removed, ver(4)))), porcupine.Illegal},
		{"unknown batch all or nothing", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), putK("b", "b2")), unknown),
			op(1, 30, 31, getK("a"), found("a2", 7)),
			op(1, 32, 33, getK("b"), found("b1", 2))), porcupine.Illegal},
		{"unknown batch seen whole", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), putK("b", "b2")), unknown),
			op(1, 30, 31, scan("", "", 2), Output{Items: []Item{item("a", "a2", 7), item("b", "b2", 8)}, More: true})), porcupine.Ok},
		{"batch reads its own write", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), getK("a")), batchOut(ver(4), found("a2", 4)))), porcupine.Ok},
		{"batch misses its own write", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), getK("a")), batchOut(ver(4), found("a1", 1)))), porcupine.Illegal},
	}
	runCheckCases(t, tests)
}

// TestScanIsNotPerKeyReads shows why scans are checked against the whole
// state of the keys they cover: split into per-key reads at the scan's
// interval, the non-snapshot of "no snapshot" above passes.
func TestScanIsNotPerKeyReads(t *testing.T) {
	whole := []porcupine.Operation{
		op(0, 0, 10, putK("a", "a1"), ver(1)),
		op(0, 20, 30, putK("b", "b1"), ver(2)),
		op(1, 5, 35, scan("", "", 0), items(item("b", "b1", 2))),
	}
	split := append(whole[:2:2],
		op(1, 5, 35, getK("a"), absent),
		op(2, 5, 35, getK("b"), found("b1", 2)))
	if res, _ := Check(context.Background(), whole, 0); res != porcupine.Illegal {
		t.Fatalf("whole-state scan: %v", res)
	}
	if res, _ := Check(context.Background(), split, 0); res != porcupine.Ok {
		t.Fatalf("per-key reads: %v (the example no longer shows the difference)", res)
	}
}

func TestPartitionMergesMultiKeyOperations(t *testing.T) {
	ops := []porcupine.Operation{
		op(0, 0, 1, putK("a", "1"), ver(1)),                    // 0
		op(0, 0, 1, putK("b", "1"), ver(2)),                    // 1
		op(0, 0, 1, putK("c", "1"), ver(3)),                    // 2
		op(0, 0, 1, putK("d", "1"), ver(4)),                    // 3
		op(0, 2, 3, scan("b", "d", 0), Output{}),               // 4: b, c
		op(0, 2, 3, batch(putK("d", "2")), ver(0)),             // 5: d alone
		op(0, 2, 3, scan("x", "", 0), Output{}),                // 6: no key
		op(0, 2, 3, prefix("e", 0), items(item("e", "?", 1))),  // 7: e, only returned
		op(0, 4, 5, batch(putK("a", "2"), delK("e")), unknown), // 8: a, e
	}
	want := []int{0, 1, 1, 2, 1, 2, 3, 0, 0}
	for i := range ops {
		ops[i].Metadata = i
	}
	parts := Partition(ops)
	if len(parts) != 4 {
		t.Fatalf("%d partitions, want 4: %v", len(parts), parts)
	}
	for p, part := range parts {
		for _, o := range part {
			if i := o.Metadata.(int); want[i] != p {
				t.Errorf("operation %d (%s) in partition %d, want %d", i, describeOperation(o.Input, o.Output), p, want[i])
			}
		}
	}
}

func TestCheckRejectsBadMultiKeyHistory(t *testing.T) {
	tests := []porcupine.Operation{
		op(0, 0, 1, batch(batch(putK("a", "1"))), unknown),
		op(0, 0, 1, batch(), unknown),
		op(0, 0, 1, batch(putK("a", "1"), putK("b", "1")), batchOut(ver(1))),
		op(0, 0, 1, scan("", "", -1), Output{}),
		op(0, 0, 1, Input{Op: OpPut, Key: "a", Stale: true}, ver(1)),
		op(0, 0, 1, batch(Input{Op: OpGet, Key: "a", Stale: true}), batchOut(absent)),
	}
	for i, o := range tests {
		if _, err := Check(context.Background(), []porcupine.Operation{o}, 0); err == nil {
			t.Errorf("history %d (%s) accepted", i, describeInput(o.Input.(Input)))
		}
	}
}

func TestPartitionEventAgrees(t *testing.T) {
	ops := append(ab(),
		op(1, 6, 7, scan("a", "c", 0), items(item("a", "a1", 1), item("b", "b1", 2))),
		op(1, 8, 9, putK("z", "z1"), ver(4)))
	var events []porcupine.Event
	for i, o := range ops {
		events = append(events,
			porcupine.Event{Kind: porcupine.CallEvent, Value: o.Input, Id: i},
			porcupine.Event{Kind: porcupine.ReturnEvent, Value: o.Output, Id: i})
	}
	ep, p := PartitionEvent(events), Partition(ops)
	if len(ep) != 3 || len(p) != 3 {
		t.Fatalf("%d event partitions, %d operation partitions; want 3", len(ep), len(p))
	}
	for i := range p {
		if len(ep[i]) != 2*len(p[i]) {
			t.Fatalf("partition %d: %d events for %d operations", i, len(ep[i]), len(p[i]))
		}
	}
	if !porcupine.CheckEvents(Model(), events) {
		t.Fatal("event form rejected a linearizable history")
	}
}

func TestCheckSettledUnknowns(t *testing.T) {
	settled := Output{Unknown: true, Settled: true}
	tests := []checkCase{
		{"settled put never seen", []porcupine.Operation{
			op(0, 0, 5, put("a"), settled),
			op(1, 10, 11, get(), absent),
		}, porcupine.Ok},
		{"settled put seen", []porcupine.Operation{
			op(0, 0, 5, put("a"), settled),
			op(1, 10, 11, get(), found("a", 3)),
		}, porcupine.Ok},
		{"settled put seen after it was not", []porcupine.Operation{
			op(0, 0, 5, put("a"), settled),
			op(1, 10, 11, get(), absent),
			op(1, 12, 13, get(), found("a", 3)),
		}, porcupine.Illegal},
		{"unsettled put seen after it was not", []porcupine.Operation{
			op(0, 0, 5, put("a"), unknown),
			op(1, 10, 11, get(), absent),
			op(1, 12, 13, get(), found("a", 3)),
		}, porcupine.Ok},
		{"settled batch whole or nothing", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), putK("b", "b2")), settled),
			op(1, 30, 31, getK("a"), found("a1", 1)),
			op(1, 32, 33, getK("b"), found("b1", 2))), porcupine.Ok},
		{"settled batch half seen", append(ab(),
			op(0, 10, 20, batch(putK("a", "a2"), putK("b", "b2")), settled),
			op(1, 30, 31, getK("a"), found("a2", 7)),
			op(1, 32, 33, getK("b"), found("b1", 2))), porcupine.Illegal},
	}
	runCheckCases(t, tests)
	r := NewRecorder(func() int64 { return 7 })
	id := r.Begin(0, put("a"))
	r.EndSettled(id)
	if o := r.Operations()[0]; o.Return != 8 || !o.Output.(Output).Settled {
		t.Fatalf("EndSettled recorded %+v", o)
	}
}
