package kv

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func sampleResults() []Result {
	items := []Item{{b("a"), b("1"), 3}, {b("b"), nil, 1 << 40}}
	return []Result{
		{Kind: KindGet, Found: true, Value: b("v"), Version: 7},
		{Kind: KindGet},
		{Kind: KindPut, Version: 300},
		{Kind: KindDelete, Found: true},
		{Kind: KindCAS, Swapped: true, Version: 9},
		{Kind: KindCAS, Version: 4},
		{Kind: KindScan, Items: items, More: true},
		{Kind: KindScanPrefix},
		{Kind: KindIncr, Counter: -12, Version: 5},
		{Kind: KindIncr, Code: CodeNotInteger},
		{Kind: KindPut, Code: CodeValueTooLarge},
		{Code: CodeBadCommand},
	}
}

func TestResultRoundTrip(t *testing.T) {
	for _, r := range sampleResults() {
		enc := r.Encode()
		got, err := DecodeResult(enc)
		if err != nil {
			t.Fatalf("DecodeResult(%+v): %v", r, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip %+v gave %+v", r, got)
		}
		if !bytes.Equal(got.Encode(), enc) {
			t.Errorf("re-encoding %+v changed the bytes", r)
		}
	}
}

func TestResultErr(t *testing.T) {
	r, err := DecodeResult(Result{Kind: KindPut, Code: CodeKeyTooLarge}.Encode())
	if err != nil || !errors.Is(r.Err(), ErrKeyTooLarge) {
		t.Fatalf("decoded err %v / %v, want ErrKeyTooLarge", r.Err(), err)
	}
	if (Result{Kind: KindPut}).Err() != nil {
		t.Fatal("ok result must have nil Err")
	}
}

func TestDecodeResultRejects(t *testing.T) {
	scan := Result{Kind: KindScan, Items: []Item{{b("a"), b("1"), 3}}}.Encode()
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"header only one byte", []byte{byte(KindGet)}},
		{"unknown kind", []byte{byte(kindCount), 0}},
		{"unknown code", []byte{byte(KindGet), byte(codeCount)}},
		{"ok with invalid kind", []byte{0, 0}},
		{"bad bool", []byte{byte(KindDelete), 0, 2}},
		{"truncated scan", scan[:len(scan)-1]},
		{"trailing", append(bytes.Clone(scan), 1)},
		{"error with body", []byte{byte(KindGet), byte(CodeEmptyKey), 0}},
		{"forged count", []byte{byte(KindScan), 0, 0, 0xff, 0xff, 0xff, 0x7f}},
	}
	for _, tt := range tests {
		if _, err := DecodeResult(tt.in); !errors.Is(err, ErrBadResult) {
			t.Errorf("%s: err %v, want ErrBadResult", tt.name, err)
		}
	}
}
