package kv

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// sampleCommands covers every kind, with empty and non-empty fields.
func sampleCommands() []Command {
	return []Command{
		NewGet(b("k")),
		NewPut(b("key"), b("value")),
		NewPut(b("key"), nil),
		NewDelete(b("\x00\xff")),
		NewCAS(b("k"), 0, b("v")),
		NewCAS(b("k"), 1<<63+5, b("v")),
		NewScan(nil, nil, 0),
		NewScan(b("a"), b("z"), 300),
		NewScanPrefix(b("p/"), 1000),
		NewScanPrefix(nil, 1),
		NewIncr(b("n"), 1),
		NewIncr(b("n"), -1<<63),
	}
}

func TestCommandRoundTrip(t *testing.T) {
	for _, c := range sampleCommands() {
		enc := c.Encode()
		got, err := DecodeCommand(enc)
		if err != nil {
			t.Fatalf("DecodeCommand(%v): %v", c, err)
		}
		if !reflect.DeepEqual(normCommand(got), normCommand(c)) {
			t.Errorf("round trip %+v gave %+v", c, got)
		}
		if !bytes.Equal(got.Encode(), enc) {
			t.Errorf("re-encoding %+v changed the bytes", c)
		}
	}
}

// normCommand maps empty slices to nil for comparison.
func normCommand(c Command) Command {
	for _, p := range []*[]byte{&c.Key, &c.Value, &c.End} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return c
}

func TestEncodeDropsUnusedFields(t *testing.T) {
	c := Command{Kind: KindGet, Key: b("k"), Value: b("ignored"), End: b("x"), Limit: 4, Expected: 9}
	if !bytes.Equal(c.Encode(), NewGet(b("k")).Encode()) {
		t.Fatal("Encode kept fields Get does not use")
	}
}

func TestDecodeCommandRejects(t *testing.T) {
	put := NewPut(b("k"), b("v")).Encode()
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"invalid kind", []byte{0, 1, 'k'}},
		{"unknown kind", []byte{byte(kindCount), 1, 'k'}},
		{"truncated", put[:len(put)-1]},
		{"trailing byte", append(bytes.Clone(put), 0)},
		{"length past end", []byte{byte(KindGet), 5, 'k'}},
		{"overlong uvarint", []byte{byte(KindGet), 0x81, 0x00, 'k'}},
		{"huge length", []byte{byte(KindGet), 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"negative limit", NewScan(nil, nil, -1).Encode()},
	}
	for _, tt := range tests {
		if _, err := DecodeCommand(tt.in); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s: err %v, want ErrBadCommand", tt.name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	l := Limits{MaxKey: 3, MaxValue: 3, MaxScan: 5}
	tests := []struct {
		c    Command
		want error
	}{
		{NewGet(b("abc")), nil},
		{NewGet(nil), ErrEmptyKey},
		{NewGet(b("abcd")), ErrKeyTooLarge},
		{NewPut(b("a"), b("abc")), nil},
		{NewPut(b("a"), nil), nil},
		{NewPut(b("a"), b("abcd")), ErrValueTooLarge},
		{NewDelete(nil), ErrEmptyKey},
		{NewCAS(b("abcd"), 0, nil), ErrKeyTooLarge},
		{NewCAS(b("a"), 3, b("abcd")), ErrValueTooLarge},
		{NewScan(nil, nil, 5), nil},
		{NewScan(b("abcd"), nil, 1), ErrKeyTooLarge},
		{NewScan(nil, nil, 6), ErrScanLimit},
		{NewScanPrefix(nil, 0), nil},
		{NewScanPrefix(b("abcd"), 0), ErrKeyTooLarge},
		{NewScanPrefix(nil, -2), ErrScanLimit},
		{NewIncr(b("abc"), -3), nil},
		{NewIncr(nil, 1), ErrEmptyKey},
		{NewIncr(b("abcd"), 1), ErrKeyTooLarge},
		{Command{}, ErrBadCommand},
		{Command{Kind: 99, Key: b("k")}, ErrBadCommand},
	}
	for _, tt := range tests {
		err := l.Validate(tt.c)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("Validate(%v %q) = %v, want %v", tt.c.Kind, tt.c.Key, err, tt.want)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxKey: 4096, MaxValue: 1 << 20, MaxScan: 1000, MaxScanBytes: 4 << 20}
	if DefaultLimits() != want || New(Limits{}).Limits() != want {
		t.Fatalf("defaults %+v / %+v, want %+v", DefaultLimits(), New(Limits{}).Limits(), want)
	}
	if err := (Limits{}).Validate(NewGet(make([]byte, 4097))); !errors.Is(err, ErrKeyTooLarge) {
		t.Fatalf("zero Limits must validate with defaults: %v", err)
	}
}

func TestCodeErrMapping(t *testing.T) {
	for c := CodeOK; c < codeCount; c++ {
		if got := CodeOf(c.Err()); got != c {
			t.Errorf("CodeOf(%v.Err()) = %v", c, got)
		}
	}
	if !errors.Is(Code(200).Err(), ErrBadResult) {
		t.Error("unknown code must map to ErrBadResult")
	}
	if CodeOf(errors.New("other")) != CodeBadCommand {
		t.Error("foreign error must map to CodeBadCommand")
	}
}
