package wire

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/vr-go/vr/message"
)

// twoFrames returns a stream of two frames and the length of the first.
func twoFrames(t *testing.T) ([]byte, int) {
	a := mustFrame(t, 9, 1, &message.Prepare{View: 2, Commit: 1, Sent: 70, Entries: run(2, 2, 5)})
	b := mustFrame(t, 9, 2, &message.PrepareOK{View: 2, Op: 3, Replica: 2, Echo: 70})
	return append(a, b...), len(a)
}

// Cut anywhere, a stream yields the whole frames before the cut, then
// io.EOF at a frame boundary and io.ErrUnexpectedEOF inside a frame.
func TestReaderTruncation(t *testing.T) {
	stream, first := twoFrames(t)
	for n := 0; n <= len(stream); n++ {
		r := NewReader(bytes.NewReader(stream[:n]), Limits{})
		whole := 0
		var err error
		for {
			if _, _, err = r.Next(); err != nil {
				break
			}
			whole++
		}
		wantWhole, wantErr := 0, io.ErrUnexpectedEOF
		switch {
		case n == len(stream):
			wantWhole, wantErr = 2, io.EOF
		case n > first:
			wantWhole = 1
		case n == first:
			wantWhole, wantErr = 1, io.EOF
		case n == 0:
			wantErr = io.EOF
		}
		if whole != wantWhole || err != wantErr {
			t.Fatalf("cut at %d: %d frames then %v, want %d then %v", n, whole, err, wantWhole, wantErr)
		}
	}
}

func TestReaderSmallReads(t *testing.T) {
	stream, _ := twoFrames(t)
	big := &message.Prepare{View: 1, Entries: run(1, 3, 3*readChunk)}
	stream = append(stream, mustFrame(t, 9, 0, big)...)
	wrappers := map[string]func(io.Reader) io.Reader{
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data-err": iotest.DataErrReader,
	}
	for name, wrap := range wrappers {
		r := NewReader(wrap(bytes.NewReader(stream)), Limits{})
		var last message.Message
		for i := 0; i < 3; i++ {
			_, m, err := r.Next()
			if err != nil {
				t.Fatalf("%s: frame %d: %v", name, i, err)
			}
			last = m
		}
		if !reflect.DeepEqual(last, big) {
			t.Fatalf("%s: large frame differs", name)
		}
		if _, _, err := r.Next(); err != io.EOF {
			t.Fatalf("%s: at end: %v", name, err)
		}
	}
}

func TestReaderPassesReadErrors(t *testing.T) {
	stream, _ := twoFrames(t)
	boom := errors.New("boom")
	for _, n := range []int{0, 5, HeaderSize, HeaderSize + 3} {
		r := NewReader(io.MultiReader(bytes.NewReader(stream[:n]), iotest.ErrReader(boom)), Limits{})
		if _, _, err := r.Next(); !errors.Is(err, boom) {
			t.Fatalf("error after %d bytes: %v", n, err)
		}
	}
}

func TestReaderErrorsAreSticky(t *testing.T) {
	stream, first := twoFrames(t)
	bad := append(patch(stream[:first], HeaderSize, 1, 0xFF), stream[first:]...)
	r := NewReader(bytes.NewReader(bad), Limits{})
	h, _, err1 := r.Next()
	if !errors.Is(err1, ErrChecksum) {
		t.Fatalf("first: %v", err1)
	}
	if h.Type != message.TypePrepare || h.Cluster != 9 {
		t.Fatalf("header not returned with a body error: %+v", h)
	}
	if _, m, err2 := r.Next(); err2 != err1 || m != nil {
		t.Fatalf("second: %v, %v; want the first error again", m, err2)
	}
}

// A header announcing a huge body does not make the Reader allocate it
// before the data arrives.
func TestReaderGrowsWithData(t *testing.T) {
	f := mustFrame(t, 1, 1, &message.Request{Payload: pattern(100, 1)})
	f = patch(f, offLength, 4, 60<<20)
	r := NewReader(bytes.NewReader(f), Limits{})
	if _, _, err := r.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if c := cap(r.buf); c > 2*readChunk {
		t.Fatalf("buffer grew to %d bytes for 100 bytes of body", c)
	}
}

// After warm-up, Next allocates only the decoded message.
func TestReaderReusesBuffer(t *testing.T) {
	var stream []byte
	for i := 0; i < 200; i++ {
		stream = mustAppend(t, stream, &message.Commit{View: 1, Commit: uint64(i), Sent: 1000 + uint64(i)})
	}
	r := NewReader(bytes.NewReader(stream), Limits{})
	allocs := testing.AllocsPerRun(150, func() {
		if _, _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("Next: %v allocs/op, want 1 (the message)", allocs)
	}
}

func mustAppend(t *testing.T, dst []byte, m message.Message) []byte {
	t.Helper()
	out, err := AppendFrame(dst, 3, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
