package kv

import (
	"bytes"
	"encoding/binary"
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

// TestBatchEncodingInPlace checks the in-place encoding of a batch's
// commands and results against the plain form (each encoded on its own,
// then length-prefixed), at sizes where the reserved length prefix is
// longer than the length needs (the gap is closed) and where it is not.
func TestBatchEncodingInPlace(t *testing.T) {
	for _, size := range []int{0, 90, 100, 120, 127, 200, 16000, 17000} {
		cmds := []Command{NewPut([]byte("k"), make([]byte, size)), NewGet([]byte("key")),
			NewScan([]byte("a"), []byte("b"), 7), NewIncr([]byte("n"), -3)}
		want := binary.AppendUvarint([]byte{byte(KindBatch)}, uint64(len(cmds)))
		for _, c := range cmds {
			want = appendBytes(want, c.Encode())
		}
		if got := NewBatch(cmds).Encode(); !bytes.Equal(got, want) {
			t.Fatalf("value of %d bytes: batch encodes to %x, want %x", size, got, want)
		}
		res := Result{Kind: KindBatch, Batch: []Result{{Kind: KindGet, Found: true, Value: make([]byte, size), Version: 3},
			{Kind: KindPut, Version: 9}, {Kind: KindCAS, Code: CodeBadCommand}}}
		want = binary.AppendUvarint([]byte{byte(KindBatch), byte(CodeOK)}, uint64(len(res.Batch)))
		for _, r := range res.Batch {
			want = appendBytes(want, r.Encode())
		}
		if got := res.Encode(); !bytes.Equal(got, want) {
			t.Fatalf("value of %d bytes: batch result encodes to %x, want %x", size, got, want)
		}
	}
}
