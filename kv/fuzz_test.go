package kv

import (
	"bytes"
	"testing"
)

// FuzzDecodeCommand checks that decoding never panics, that whatever decodes
// re-encodes to the same bytes, and that Apply on any input never panics and
// changes nothing when the command is rejected.
func FuzzDecodeCommand(f *testing.F) {
	for _, c := range sampleCommands() {
		f.Add(c.Encode())
	}
	f.Add([]byte{})
	f.Add([]byte{byte(KindCAS), 1, 'k', 0x80, 0x01, 0})
	f.Add([]byte{byte(KindScan), 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := DecodeCommand(in)
		if err == nil && !bytes.Equal(c.Encode(), in) {
			t.Fatalf("%x decodes to %+v which encodes to %x", in, c, c.Encode())
		}
		s := New(Limits{MaxKey: 16, MaxValue: 16, MaxScan: 4})
		mustPut(t, s, "k", "v")
		before := s.Digest()
		res, rerr := DecodeResult(s.Apply(0, in))
		if rerr != nil {
			t.Fatalf("Apply produced an undecodable result: %v", rerr)
		}
		if res.Code != CodeOK && s.Digest() != before {
			t.Fatalf("rejected command changed the state: %+v", res)
		}
		if (err != nil) != (res.Code == CodeBadCommand) {
			t.Fatalf("decode err %v but result code %v", err, res.Code)
		}
	})
}

// FuzzDecodeResult checks that result decoding never panics and is canonical.
func FuzzDecodeResult(f *testing.F) {
	for _, r := range sampleResults() {
		f.Add(r.Encode())
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := DecodeResult(in)
		if err == nil && !bytes.Equal(r.Encode(), in) {
			t.Fatalf("%x decodes to %+v which encodes to %x", in, r, r.Encode())
		}
	})
}
