package kvcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func onKey(key string, o porcupine.Operation) porcupine.Operation {
	in := o.Input.(Input)
	in.Key = key
	o.Input = in
	return o
}

func TestPartition(t *testing.T) {
	ops := []porcupine.Operation{
		onKey("a", op(0, 0, 1, put("1"), ver(1))),
		onKey("b", op(0, 2, 3, put("2"), ver(2))),
		{Input: "a scan", Output: "ignored"},
		onKey("a", op(0, 4, 5, get(), found("1", 1))),
	}
	parts := Partition(ops)
	if len(parts) != 2 || len(parts[0]) != 2 || len(parts[1]) != 1 {
		t.Fatalf("Partition sizes wrong: %v", parts)
	}
	for _, o := range parts[0] {
		if o.Input.(Input).Key != "a" {
			t.Fatalf("key b in partition a: %v", o)
		}
	}
	events := []porcupine.Event{
		{Kind: porcupine.CallEvent, Value: Input{Op: OpGet, Key: "a"}, Id: 0},
		{Kind: porcupine.CallEvent, Value: Input{Op: OpGet, Key: "b"}, Id: 1},
		{Kind: porcupine.ReturnEvent, Value: absent, Id: 1},
		{Kind: porcupine.ReturnEvent, Value: absent, Id: 0},
	}
	ep := PartitionEvent(events)
	ids := func(evs []porcupine.Event) []int {
		var out []int
		for _, e := range evs {
			out = append(out, e.Id)
		}
		return out
	}
	if len(ep) != 2 || !slices.Equal(ids(ep[0]), []int{0, 0}) || !slices.Equal(ids(ep[1]), []int{1, 1}) {
		t.Fatalf("PartitionEvent = %v", ep)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	// Each key alone is linearizable; a stale read on one key is still
	// caught next to a healthy key.
	ok := []porcupine.Operation{
		onKey("a", op(0, 0, 1, put("1"), ver(1))),
		onKey("b", op(1, 0, 1, put("1"), ver(2))),
		onKey("a", op(0, 2, 3, get(), found("1", 1))),
	}
	if res, err := Check(context.Background(), ok, 0); res != porcupine.Ok || err != nil {
		t.Fatalf("independent keys: %v %v", res, err)
	}
	bad := append(ok, onKey("b", op(1, 4, 5, get(), absent)))
	if res, _ := Check(context.Background(), bad, 0); res != porcupine.Illegal {
		t.Fatalf("lost write on b not caught: %v", res)
	}
}

func TestCheckEventsWithModel(t *testing.T) {
	events := []porcupine.Event{
		{Kind: porcupine.CallEvent, Value: put("a"), Id: 0},
		{Kind: porcupine.ReturnEvent, Value: ver(1), Id: 0},
		{Kind: porcupine.CallEvent, Value: get(), Id: 1},
		{Kind: porcupine.ReturnEvent, Value: absent, Id: 1},
	}
	if porcupine.CheckEvents(Model(), events) {
		t.Fatal("lost write accepted in event form")
	}
	if !porcupine.CheckEvents(Model(), events[:2]) {
		t.Fatal("single put rejected in event form")
	}
}

func TestCheckRejectsBadHistory(t *testing.T) {
	tests := [][]porcupine.Operation{
		{{Input: "x", Output: absent}},
		{{Input: get(), Output: "x"}},
		{{Input: &Input{Op: OpGet}, Output: absent}},
		{{Input: Input{Op: 9, Key: "x"}, Output: absent}},
		{op(0, 5, 4, get(), absent)},
	}
	for i, ops := range tests {
		if _, err := Check(context.Background(), ops, 0); !errors.Is(err, ErrBadHistory) {
			t.Errorf("history %d: err %v, want ErrBadHistory", i, err)
		}
	}
}

func TestCheckHonoursContext(t *testing.T) {
	ops := []porcupine.Operation{op(0, 0, 1, put("a"), ver(1))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Check(ctx, ops, 0)
	if res != porcupine.Unknown || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled check = %v, %v", res, err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time0())
	defer cancel()
	if res, err := Check(ctx, ops, 0); res != porcupine.Unknown || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired check = %v, %v", res, err)
	}
}

func TestWriteVisualization(t *testing.T) {
	ops := []porcupine.Operation{
		op(0, 0, 1, put("a"), ver(1)),
		op(1, 2, 3, get(), absent),
	}
	res, info, err := CheckVerbose(context.Background(), ops, 0)
	if err != nil || res != porcupine.Illegal {
		t.Fatalf("CheckVerbose = %v, %v", res, err)
	}
	path := filepath.Join(t.TempDir(), "history.html")
	if err := WriteVisualization(path, info); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(html), "<html") || !strings.Contains(string(html), `put(\"x\", \"a\")`) {
		t.Fatalf("visualization missing or without the history (%d bytes, %v)", len(html), err)
	}
}

// time0 is a deadline long past.
func time0() time.Time { return time.Unix(0, 0) }
