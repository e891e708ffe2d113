package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/vr-go/vr/message"
)

// TestReaderDropsLargeBuffer: after a frame of 4 MiB, an idle connection's
// Reader must not keep a 4 MiB buffer (40 idle connections that each had
// carried a frame of 64 MiB held 3.4 GB).
func TestReaderDropsLargeBuffer(t *testing.T) {
	big := &message.CheckpointChunk{Op: 1, Size: 1 << 30, Data: make([]byte, 4<<20)}
	small := &message.Commit{View: 1, Commit: 2}
	var stream []byte
	for _, m := range []message.Message{small, big, small} {
		b, err := AppendFrame(stream, 7, 1, m)
		if err != nil {
			t.Fatal(err)
		}
		stream = b
	}
	r := NewReader(bytes.NewReader(stream), Limits{})
	for i := range 3 {
		if _, _, err := r.Next(); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if cap(r.buf) > maxRetainedBody {
			t.Fatalf("after frame %d the reader keeps a buffer of %d bytes", i, cap(r.buf))
		}
	}
}

// TestReaderChecksHeaderBeforeBody: a check that refuses a header ends
// the stream without reading the body.
func TestReaderChecksHeaderBeforeBody(t *testing.T) {
	b, err := AppendFrame(nil, 7, 1, &message.CheckpointChunk{Op: 1, Size: 1 << 20, Data: make([]byte, 1<<20)})
	if err != nil {
		t.Fatal(err)
	}
	src := bytes.NewReader(b)
	r := NewReader(src, Limits{})
	refused := errors.New("refused")
	r.SetCheck(func(h Header) (func(), error) {
		if binary.LittleEndian.Uint32(b[offLength:]) != h.Length {
			t.Errorf("check saw length %d", h.Length)
		}
		return nil, refused
	})
	if _, _, err := r.Next(); !errors.Is(err, refused) {
		t.Fatalf("got %v, want the check's error", err)
	}
	if read := len(b) - src.Len(); read != HeaderSize {
		t.Fatalf("read %d bytes of the stream, want the %d of the header only", read, HeaderSize)
	}
}
