package kv

import (
	"errors"
	"reflect"
	"testing"
)

func TestBatchAppliesInOrder(t *testing.T) {
	s := New(Limits{})
	got := apply(t, s, NewBatch([]Command{
		NewPut(b("a"), b("1")),
		NewCAS(b("a"), 1, b("2")),
		NewGet(b("a")),
		NewDelete(b("missing")),
	}))
	want := Result{Kind: KindBatch, Batch: []Result{
		{Kind: KindPut, Version: 1},
		{Kind: KindCAS, Swapped: true, Version: 2},
		{Kind: KindGet, Found: true, Value: b("2"), Version: 2},
		{Kind: KindDelete},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("batch result\n got %+v\nwant %+v", got, want)
	}
}

func TestBatchRoundTripAndRejects(t *testing.T) {
	c := NewBatch([]Command{NewPut(b("k"), b("v")), NewScanPrefix(b("k"), 3)})
	d, err := DecodeCommand(c.Encode())
	if err != nil || !reflect.DeepEqual(d, c) {
		t.Fatalf("round trip: %+v, %v", d, err)
	}
	nested := NewBatch([]Command{NewBatch([]Command{NewGet(b("k"))})})
	for name, bad := range map[string]Command{
		"empty":   NewBatch(nil),
		"nested":  nested,
		"bad sub": NewBatch([]Command{NewGet(nil)}),
	} {
		if err := (Limits{}).Validate(bad); err == nil {
			t.Errorf("%s batch validated", name)
		}
	}
	for name, enc := range map[string][]byte{
		"empty":  NewBatch(nil).Encode(),
		"nested": nested.Encode(),
	} {
		if _, err := DecodeCommand(enc); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s batch decoded: %v", name, err)
		}
	}
	// A batch whose command is invalid changes nothing.
	s := New(Limits{})
	res := apply(t, s, NewBatch([]Command{NewPut(b("a"), b("1")), NewPut(nil, b("x"))}))
	if res.Code == CodeOK || s.Len() != 0 {
		t.Fatalf("invalid batch: code %v, %d keys", res.Code, s.Len())
	}
}
