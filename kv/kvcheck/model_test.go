package kvcheck

import (
	"context"
	"testing"

	"github.com/anishathalye/porcupine"
)

// Helpers building operations on key "x" unless stated.
func op(client int, call, ret int64, in Input, out Output) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret}
}

func put(v string) Input              { return Input{Op: OpPut, Key: "x", Value: v} }
func get() Input                      { return Input{Op: OpGet, Key: "x"} }
func del() Input                      { return Input{Op: OpDelete, Key: "x"} }
func cas(e uint64, v string) Input    { return Input{Op: OpCAS, Key: "x", Expected: e, Value: v} }
func ver(v uint64) Output             { return Output{Version: v} }
func found(v string, n uint64) Output { return Output{Found: true, Value: v, Version: n} }
func swapped(n uint64) Output         { return Output{Swapped: true, Version: n} }
func failed(n uint64) Output          { return Output{Version: n} }

var (
	absent  = Output{}
	removed = Output{Found: true}
	unknown = Output{Unknown: true}
)

func TestCheckHistories(t *testing.T) {
	tests := []checkCase{
		{"sequential, every op", []porcupine.Operation{
			op(0, 0, 1, get(), absent),
			op(0, 2, 3, put("a"), ver(1)),
			op(0, 4, 5, get(), found("a", 1)),
			op(0, 6, 7, cas(1, "b"), swapped(4)),
			op(0, 8, 9, cas(1, "c"), failed(4)),
			op(0, 10, 11, del(), removed),
			op(0, 12, 13, del(), absent),
			op(0, 14, 15, cas(0, "d"), swapped(9)),
			op(0, 16, 17, get(), found("d", 9)),
		}, porcupine.Ok},
		{"stale read", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(0, 2, 3, put("b"), ver(2)),
			op(1, 4, 5, get(), found("a", 1)),
		}, porcupine.Illegal},
		{"lost write", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(1, 2, 3, get(), absent),
		}, porcupine.Illegal},
		{"lost update: two creates both swap", []porcupine.Operation{
			op(0, 0, 1, cas(0, "a"), swapped(1)),
			op(1, 2, 3, cas(0, "b"), swapped(2)),
		}, porcupine.Illegal},
		{"concurrent overlap", []porcupine.Operation{
			op(0, 0, 10, put("a"), ver(3)),
			op(1, 1, 2, get(), absent),
			op(2, 3, 4, get(), found("a", 3)),
			op(1, 5, 12, put("b"), ver(5)),
			op(2, 6, 7, get(), found("a", 3)),
			op(2, 13, 14, get(), found("b", 5)),
		}, porcupine.Ok},
		{"value flips back", []porcupine.Operation{
			op(0, 0, 10, put("a"), ver(3)),
			op(1, 1, 2, get(), found("a", 3)),
			op(1, 3, 4, get(), absent),
		}, porcupine.Illegal},
		{"wrong value read", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(5)),
			op(0, 2, 3, get(), found("b", 5)),
		}, porcupine.Illegal},
		{"wrong version read", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(5)),
			op(0, 2, 3, get(), found("a", 4)),
		}, porcupine.Illegal},
		{"version goes backwards", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(5)),
			op(0, 2, 3, put("b"), ver(3)),
		}, porcupine.Illegal},
		{"failed CAS reports wrong version", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(0, 2, 3, cas(7, "b"), failed(2)),
		}, porcupine.Illegal},
		{"CAS fails though version matches", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(0, 2, 3, cas(1, "b"), failed(1)),
		}, porcupine.Illegal},
		{"versions rise across delete", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(4)),
			op(0, 2, 3, del(), removed),
			op(0, 4, 5, put("a"), ver(4)),
		}, porcupine.Illegal},
	}
	runCheckCases(t, tests)
}

func TestCheckUnknownOutcomes(t *testing.T) {
	tests := []checkCase{
		{"unknown put never seen", []porcupine.Operation{
			op(0, 0, 1, put("a"), unknown),
			op(1, 2, 3, get(), absent),
		}, porcupine.Ok},
		{"unknown put takes effect late", []porcupine.Operation{
			op(0, 0, 1, put("a"), unknown),
			op(1, 5, 6, get(), absent),
			op(1, 8, 9, get(), found("a", 7)),
		}, porcupine.Ok},
		{"unknown put cannot be undone", []porcupine.Operation{
			op(0, 0, 1, put("a"), unknown),
			op(1, 2, 3, get(), found("a", 7)),
			op(1, 4, 5, get(), absent),
		}, porcupine.Illegal},
		{"unknown put still versioned", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(5)),
			op(0, 2, 3, put("b"), unknown),
			op(1, 4, 5, get(), found("b", 5)),
		}, porcupine.Illegal},
		{"unknown CAS chain", []porcupine.Operation{
			op(0, 0, 1, put("a"), unknown),
			op(1, 2, 3, cas(5, "b"), unknown),
			op(2, 4, 5, get(), found("b", 9)),
		}, porcupine.Ok},
		{"unknown CAS new version above expected", []porcupine.Operation{
			op(0, 0, 1, put("a"), unknown),
			op(1, 2, 3, cas(5, "b"), unknown),
			op(2, 4, 5, get(), found("b", 3)),
		}, porcupine.Illegal},
		{"unknown CAS with stale expectation", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(2)),
			op(1, 2, 3, cas(1, "b"), unknown),
			op(2, 4, 5, get(), found("b", 3)),
		}, porcupine.Illegal},
		{"unknown delete", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(1, 2, 3, del(), unknown),
			op(2, 4, 5, get(), found("a", 1)),
			op(2, 6, 7, get(), absent),
		}, porcupine.Ok},
		{"unknown read is ignored", []porcupine.Operation{
			op(0, 0, 1, put("a"), ver(1)),
			op(1, 2, 3, get(), unknown),
		}, porcupine.Ok},
	}
	runCheckCases(t, tests)
}

// checkCase is one history and the verdict Check must reach on it.
type checkCase struct {
	name string
	ops  []porcupine.Operation
	want porcupine.CheckResult
}

// runCheckCases checks every case in a subtest of its own.
func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(context.Background(), tt.ops, 0)
			if err != nil || got != tt.want {
				t.Fatalf("Check = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
