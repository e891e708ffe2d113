package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/vr-go/vr/message"
)

func TestParseHeader(t *testing.T) {
	f := mustFrame(t, 77, SenderClient, &message.Request{Payload: []byte("abc")})
	h, err := ParseHeader(f, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Header{Version: 4, Type: message.TypeRequest, Sender: 255, Cluster: 77, Length: uint32(len(f) - HeaderSize), Checksum: le.Uint32(f[20:])}
	if h != want {
		t.Fatalf("got %+v, want %+v", h, want)
	}
	m, err := DecodeFrame(h, f[:HeaderSize], f[HeaderSize:], Limits{})
	if err != nil || string(m.(*message.Request).Payload) != "abc" {
		t.Fatalf("DecodeFrame: %+v, %v", m, err)
	}
}

func TestParseHeaderRejects(t *testing.T) {
	f := mustFrame(t, 1, 2, &message.Commit{View: 1}) // a 32-byte body
	for n := 0; n < HeaderSize; n++ {
		if _, err := ParseHeader(f[:n], Limits{}); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%d-byte header: %v", n, err)
		}
	}
	cases := []struct {
		name   string
		b      []byte
		lim    Limits
		target error
	}{
		{"magic", patch(f, 0, 1, 'v'), Limits{}, ErrBadMagic},
		{"magic-last-byte", patch(f, 3, 1, 0), Limits{}, ErrBadMagic},
		{"version-0", patch(f, offVersion, 1, 0), Limits{}, ErrBadVersion},
		{"version-1", patch(f, offVersion, 1, 1), Limits{}, ErrBadVersion},
		{"version-2", patch(f, offVersion, 1, 2), Limits{}, ErrBadVersion},
		{"version-3", patch(f, offVersion, 1, 3), Limits{}, ErrBadVersion},
		{"version-5", patch(f, offVersion, 1, 5), Limits{}, ErrBadVersion},
		{"reserved", patch(f, offReserved, 1, 0x80), Limits{}, ErrMalformed},
		{"type-0", patch(f, offType, 1, 0), Limits{}, ErrUnknownType},
		{"type-19", patch(f, offType, 1, 19), Limits{}, ErrUnknownType},
		{"length", f, Limits{MaxBody: 39}, ErrTooLarge},
		{"length-default", patch(f, offLength, 4, 64<<20+1), Limits{}, ErrTooLarge},
	}
	for _, c := range cases {
		if _, err := ParseHeader(c.b, c.lim); !errors.Is(err, c.target) {
			t.Errorf("%s: %v, want %v", c.name, err, c.target)
		}
	}
	if _, err := ParseHeader(f, Limits{MaxBody: 40}); err != nil {
		t.Fatalf("length at the limit: %v", err)
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	f := mustFrame(t, 1, 2, &message.Commit{View: 1, Commit: 1, Sent: 1}) // a 32-byte body
	hb, body := f[:HeaderSize], f[HeaderSize:]
	h, err := ParseHeader(hb, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	other := h
	other.Sender = 3
	badSum := h
	badSum.Checksum ^= 1
	cases := []struct {
		name   string
		h      Header
		hb, b  []byte
		target error
	}{
		{"body-changed", h, hb, patch(body, 0, 1, 2), ErrChecksum},
		{"header-changed", h, patch(hb, offCluster, 1, 9), body, ErrMalformed},
		{"header-mismatch", other, hb, body, ErrMalformed},
		{"checksum-in-h", badSum, hb, body, ErrMalformed},
		{"short-body", h, hb, body[:23], ErrMalformed},
		{"long-body", h, hb, append(append([]byte(nil), body...), 0), ErrMalformed},
		{"bad-header", h, patch(hb, 0, 1, 0), body, ErrBadMagic},
	}
	for _, c := range cases {
		if _, err := DecodeFrame(c.h, c.hb, c.b, Limits{}); !errors.Is(err, c.target) {
			t.Errorf("%s: %v, want %v", c.name, err, c.target)
		}
	}
	// A checksum field rewritten consistently in both h and its bytes.
	hb2 := patch(hb, offChecksum, 4, uint64(h.Checksum^0x10000))
	h2, err := ParseHeader(hb2, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeFrame(h2, hb2, body, Limits{}); !errors.Is(err, ErrChecksum) {
		t.Fatalf("rewritten checksum: %v", err)
	}
}

// Every single-bit error anywhere in a frame is detected.
func TestBitFlipsDetected(t *testing.T) {
	for _, s := range samples() {
		f := mustFrame(t, 0x1122334455667788, 1, s.m)
		for bit := 0; bit < 8*len(f); bit++ {
			g := append([]byte(nil), f...)
			g[bit/8] ^= 1 << (bit % 8)
			_, m, err := NewReader(bytes.NewReader(g), Limits{}).Next()
			if err == nil {
				t.Fatalf("%s: flipping bit %d went undetected: %+v", s.name, bit, m)
			}
			if !knownError(err) {
				t.Fatalf("%s: bit %d: unexpected error %v", s.name, bit, err)
			}
		}
	}
}

// knownError reports whether err is one this package documents.
func knownError(err error) bool {
	for _, target := range []error{ErrBadMagic, ErrBadVersion, ErrUnknownType, ErrTooLarge,
		ErrChecksum, ErrMalformed, io.ErrUnexpectedEOF} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func TestAppendFrameAppends(t *testing.T) {
	m := &message.PrepareOK{View: 1, Op: 2, Replica: 3, Echo: 4}
	one := mustFrame(t, 5, 6, m)
	two, err := AppendFrame(append([]byte(nil), one...), 5, 6, m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(two, append(append([]byte(nil), one...), one...)) {
		t.Fatalf("second frame differs:\n%x", two)
	}
}

func TestAppendFrameDoesNotAllocate(t *testing.T) {
	m := &message.Prepare{View: 1, Commit: 2, Sent: 3, Entries: run(1, 64, 256)}
	buf, err := AppendFrame(nil, 1, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		buf, err = AppendFrame(buf[:0], 1, 0, m)
	})
	if err != nil || allocs != 0 {
		t.Fatalf("AppendFrame into a reused buffer: %v allocs/op, err %v", allocs, err)
	}
}
