package wire

import (
	"errors"
	"io"
	"slices"

	"github.com/vr-go/vr/message"
)

// readChunk is how much a Reader's buffer may grow ahead of the data that
// has arrived, so that a header announcing a huge body cannot make it
// allocate MaxBody bytes before the peer has sent them.
const readChunk = 64 << 10

// Reader reads frames from an io.Reader. It keeps one buffer for bodies and
// reuses it from frame to frame; decoded messages never alias it. A Reader
// is not safe for concurrent use.
type Reader struct {
	r     io.Reader
	lim   Limits
	hdr   [HeaderSize]byte
	buf   []byte
	err   error
	check HeaderCheck
}

// HeaderCheck vets a frame's header before its body is read (SetCheck):
// an error ends the stream without reading the body; release, if not
// nil, is called once the frame was read and decoded, or failed.
type HeaderCheck func(Header) (release func(), err error)

// SetCheck makes every frame's header pass check before its body is
// read, so that a frame its sender may not send, or may not send that
// large, costs no memory.
func (r *Reader) SetCheck(check HeaderCheck) { r.check = check }

// maxRetainedBody is the largest body buffer a Reader keeps between
// frames; a larger one, grown by one large frame, is dropped, so that an
// idle connection does not hold the largest frame it ever carried.
const maxRetainedBody = 1 << 20

// NewReader returns a Reader of frames from r under the limits lim (zero
// fields mean the defaults). It does not buffer r beyond the current frame.
func NewReader(r io.Reader, lim Limits) *Reader {
	return &Reader{r: r, lim: lim.orDefaults()}
}

// Next reads and decodes the next frame. It returns io.EOF if the stream
// ends cleanly between frames and io.ErrUnexpectedEOF if it ends inside
// one. Any error is sticky: a stream that failed cannot be resynchronised,
// so later calls return the same error. When the header parsed, it is
// returned even if the body then fails.
func (r *Reader) Next() (Header, message.Message, error) {
	if r.err != nil {
		return Header{}, nil, r.err
	}
	h, m, err := r.next()
	if err != nil {
		r.err = err
	}
	return h, m, err
}

func (r *Reader) next() (Header, message.Message, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return Header{}, nil, err
	}
	h, err := ParseHeader(r.hdr[:], r.lim)
	if err != nil {
		return Header{}, nil, err
	}
	if r.check != nil {
		release, err := r.check(h)
		if err != nil {
			return h, nil, err
		}
		if release != nil {
			defer release()
		}
	}
	defer r.shrink()
	body, err := r.readBody(int(h.Length))
	if err != nil {
		return h, nil, err
	}
	m, err := DecodeFrame(h, r.hdr[:], body, r.lim)
	return h, m, err
}

// shrink drops the body buffer if a large frame grew it (decoded
// messages never alias it).
func (r *Reader) shrink() {
	if cap(r.buf) > maxRetainedBody {
		r.buf = nil
	}
}

// readBody reads n bytes into the reused buffer, growing it at most
// readChunk (or its current size, if larger) ahead of the data read.
func (r *Reader) readBody(n int) ([]byte, error) {
	b := r.buf[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(n-len(b), max(len(b), readChunk)))
		}
		k, err := io.ReadFull(r.r, b[len(b):min(n, cap(b))])
		b = b[:len(b)+k]
		if err != nil {
			r.buf = b
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	r.buf = b
	return b, nil
}
