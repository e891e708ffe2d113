package wire

import (
	"bytes"
	"io"
	"testing"

	"github.com/vr-go/vr/message"
)

// fuzzLimits are small enough for the fuzzer to reach every limit.
var fuzzLimits = Limits{MaxBody: 1 << 20, MaxEntries: 100, MaxPayload: 4096}

// FuzzDecodeMessage decodes a body whose type is the input's first byte.
// Decoding must not panic, must fail only with a documented error, and a
// body it accepts must re-encode to exactly the same bytes.
func FuzzDecodeMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		typ, body := message.Type(data[0]), data[1:]
		m, err := DecodeMessage(typ, body, fuzzLimits)
		if err != nil {
			if m != nil || !knownError(err) {
				t.Fatalf("DecodeMessage: %+v, %v", m, err)
			}
			return
		}
		if m.Type() != typ {
			t.Fatalf("decoded a %v as %v", m.Type(), typ)
		}
		again, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("cannot re-encode accepted %+v: %v", m, err)
		}
		if !bytes.Equal(again, body) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, body)
		}
	})
}

// FuzzReadFrame reads frames from an arbitrary stream. Reading must not
// panic, must end with io.EOF exactly at the end of the stream or with a
// documented error, and every frame accepted must re-encode to exactly the
// bytes it was read from.
func FuzzReadFrame(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), fuzzLimits)
		off := 0
		for {
			h, m, err := r.Next()
			if err != nil {
				checkStreamEnd(t, r, err, off == len(data))
				return
			}
			n := HeaderSize + int(h.Length)
			again, err := AppendFrame(nil, h.Cluster, h.Sender, m)
			if err != nil {
				t.Fatalf("cannot re-encode accepted %+v: %v", m, err)
			}
			if !bytes.Equal(again, data[off:off+n]) {
				t.Fatalf("frame at %d re-encodes differently:\n got %x\nwant %x", off, again, data[off:off+n])
			}
			off += n
		}
	})
}

// checkStreamEnd checks the error that ended a stream and that it sticks.
func checkStreamEnd(t *testing.T, r *Reader, err error, atEnd bool) {
	t.Helper()
	if err == io.EOF {
		if !atEnd {
			t.Fatal("io.EOF before the end of the stream")
		}
	} else if !knownError(err) {
		t.Fatalf("undocumented error %v", err)
	}
	if _, m, again := r.Next(); again != err || m != nil {
		t.Fatalf("error not sticky: %v then %+v, %v", err, m, again)
	}
}
