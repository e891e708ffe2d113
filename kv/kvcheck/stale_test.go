package kvcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
)

// stale returns a stale read of input in answered by source.
func stale(client int, call, ret int64, in Input, out Output, source uint64) porcupine.Operation {
	in.Stale = true
	out.Source = source
	return op(client, call, ret, in, out)
}

// from sets the source of an operation's output.
func from(o porcupine.Operation, source uint64) porcupine.Operation {
	out := o.Output.(Output)
	out.Source = source
	o.Output = out
	return o
}

func TestCheckStale(t *testing.T) {
	// a1@1 then a2@2, both answered by source 1.
	base := []porcupine.Operation{
		from(op(0, 0, 1, putK("a", "a1"), ver(1)), 1),
		from(op(0, 10, 11, putK("a", "a2"), ver(2)), 1),
	}
	h := func(ops ...porcupine.Operation) []porcupine.Operation { return append(base[:2:2], ops...) }
	tests := []struct {
		name string
		ops  []porcupine.Operation
		want string // "" for a pass, else part of the error
	}{
		{"old value elsewhere", h(stale(1, 20, 21, getK("a"), found("a1", 1), 2)), ""},
		{"absent elsewhere", h(stale(1, 20, 21, getK("a"), absent, 2)), ""},
		{"current value", h(stale(1, 20, 21, getK("a"), found("a2", 2), 1)), ""},
		{"never written", h(stale(1, 20, 21, getK("a"), found("zz", 2), 2)), "never written"},
		{"wrong version", h(stale(1, 20, 21, getK("a"), found("a1", 2), 2)), "never written"},
		{"from the future", []porcupine.Operation{
			stale(1, 0, 1, getK("a"), found("a1", 1), 2),
			op(0, 2, 3, putK("a", "a1"), ver(1)),
		}, "never written"},
		{"concurrent write", []porcupine.Operation{
			stale(1, 0, 5, getK("a"), found("a1", 1), 2),
			op(0, 2, 3, putK("a", "a1"), ver(1)),
		}, ""},
		{"read your write at the replica that acked it", h(stale(1, 20, 21, getK("a"), found("a1", 1), 1)), "version 1 after version 2"},
		{"overlapping is not before", h(stale(1, 10, 21, getK("a"), found("a1", 1), 1)), ""},
		{"monotonic reads", []porcupine.Operation{
			op(0, 0, 1, putK("a", "a1"), ver(1)),
			op(0, 2, 3, putK("a", "a2"), ver(2)),
			stale(1, 4, 5, getK("a"), found("a2", 2), 3),
			stale(2, 6, 7, getK("a"), found("a1", 1), 3),
		}, "version 1 after version 2"},
		{"absent after found, no delete", h(stale(1, 20, 21, getK("a"), absent, 1)), "absent after version"},
		{"absent after found, deleted", h(
			op(2, 12, 13, delK("a"), removed),
			stale(1, 20, 21, getK("a"), absent, 1)), ""},
		{"absent after found, delete before the write", []porcupine.Operation{
			op(2, 0, 1, delK("a"), absent),
			op(2, 2, 3, delK("a"), removed),
			from(op(0, 4, 5, putK("a", "a1"), ver(1)), 1),
			stale(1, 20, 21, getK("a"), absent, 1),
		}, "absent after version 1"},
		{"absent after found, unknown delete", h(
			op(2, 12, 13, delK("a"), unknown),
			stale(1, 20, 21, getK("a"), absent, 1)), ""},
		{"value from before a delete the source answered", h(
			from(op(2, 12, 13, delK("a"), removed), 1),
			stale(1, 20, 21, getK("a"), found("a2", 2), 1)), "written before the key was seen absent"},
		{"value from before a linearizable absent read", h(
			op(2, 12, 13, delK("a"), removed),
			from(op(2, 14, 15, getK("a"), absent), 1),
			stale(1, 20, 21, getK("a"), found("a2", 2), 1)), "written before the key was seen absent"},
		{"stale absent is no lower bound", h(
			op(2, 12, 13, delK("a"), removed),
			stale(2, 14, 15, getK("a"), absent, 3),
			stale(1, 20, 21, getK("a"), found("a2", 2), 3)), ""},
		{"unknown write", []porcupine.Operation{
			op(0, 0, 1, putK("a", "a1"), unknown),
			stale(1, 2, 3, getK("a"), found("a1", 9), 2),
		}, ""},
		{"failed CAS wrote nothing", []porcupine.Operation{
			op(0, 0, 1, Input{Op: OpCAS, Key: "a", Expected: 5, Value: "a1"}, failed(0)),
			stale(1, 2, 3, getK("a"), found("a1", 1), 2),
		}, "never written"},
		{"batch write", []porcupine.Operation{
			op(0, 0, 1, batch(putK("b", "b1"), putK("a", "a1")), batchOut(ver(1), ver(2))),
			stale(1, 2, 3, getK("a"), found("a1", 2), 2),
		}, ""},
		{"scan items", h(stale(1, 20, 21, scan("", "", 0), items(item("a", "a1", 1)), 2)), ""},
		{"scan older than the source", h(stale(1, 20, 21, scan("", "", 0), items(item("a", "a1", 1)), 1)), "version 1 after version 2"},
		{"scan misses a key the source held", h(stale(1, 20, 21, scan("", "", 0), Output{}, 1)), "absent after version"},
		{"scan beyond its limit says nothing", h(
			op(0, 12, 13, putK("0", "01"), ver(3)),
			stale(1, 20, 21, scan("", "", 1), Output{Items: []Item{item("0", "01", 3)}, More: true}, 1)), ""},
		{"scan out of range", h(stale(1, 20, 21, prefix("b", 0), items(item("a", "a2", 2)), 2)), "out of range"},
		{"scan above its limit", h(
			op(0, 12, 13, putK("0", "01"), ver(3)),
			stale(1, 20, 21, scan("", "", 1), items(item("0", "01", 3), item("a", "a2", 2)), 2)), "limit"},
		{"unknown stale read", h(stale(1, 20, 21, getK("a"), Output{Unknown: true}, 1)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStale(tt.ops)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckStale: %v", err)
			case tt.want != "" && (!errors.Is(err, ErrStaleRead) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckStale = %v, want an ErrStaleRead with %q", err, tt.want)
			}
		})
	}
}

func TestCheckIgnoresStaleReads(t *testing.T) {
	ops := []porcupine.Operation{
		op(0, 0, 1, putK("a", "a1"), ver(1)),
		op(0, 2, 3, putK("a", "a2"), ver(2)),
		stale(1, 4, 5, getK("a"), found("a1", 1), 1),
	}
	if res, err := Check(t.Context(), ops, 0); res != porcupine.Ok || err != nil {
		t.Fatalf("Check with a stale read: %v %v", res, err)
	}
	ops[2] = op(1, 4, 5, getK("a"), found("a1", 1))
	if res, _ := Check(t.Context(), ops, 0); res != porcupine.Illegal {
		t.Fatalf("the same read, linearizable: %v", res)
	}
}

func TestCheckStaleRejectsBadHistory(t *testing.T) {
	bad := []porcupine.Operation{
		stale(1, 0, 1, getK("a"), absent, 1),
		{Input: "x", Output: absent},
	}
	if err := CheckStale(bad); !errors.Is(err, ErrBadHistory) {
		t.Fatalf("CheckStale = %v, want ErrBadHistory", err)
	}
	if err := CheckStale(bad[1:]); err != nil {
		t.Fatalf("without stale reads CheckStale checks nothing: %v", err)
	}
}
