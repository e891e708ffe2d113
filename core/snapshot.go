package core

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// Snapshot is a state machine's state captured by StateMachine.Snapshot at
// one op, to be written later.
//
// The concurrency contract, which every StateMachine must keep:
//
//   - StateMachine.Snapshot, Apply and Restore are called from one
//     goroutine (the replica's), never concurrently with each other.
//   - A Snapshot's WriteTo may run on any other goroutine, concurrently
//     with Apply, Snapshot and Restore on the state machine and with the
//     WriteTo of other Snapshots, any time after Snapshot returned, and
//     more than once (not concurrently with itself). It writes the state
//     as of the Snapshot call, whatever was applied since.
//   - WriteTo is deterministic: two replicas whose states are equal write
//     identical bytes (peers fetch one checkpoint in chunks from several
//     replicas and check the assembled bytes' checksum).
//   - A Snapshot keeps what it needs alive until it is garbage: the driver
//     drops it once written, so a copy-on-write state machine pays for
//     the divergence only while a checkpoint is being written.
//
// It is io.WriterTo, so that a state machine need not import this package.
type Snapshot = io.WriterTo

// The state machine's snapshot travels inside a checkpoint in chunks, since
// its length is unknown until it has been written: each chunk is a u32
// length and that many bytes, and a length of 0 ends the snapshot. Chunks
// are cut at fixed sizes whatever sizes the state machine writes in, so that
// equal snapshots give equal checkpoints.
const (
	// snapChunk is the size every chunk but the last has.
	snapChunk = 64 << 10
	// maxSnapChunk bounds the chunk length a reader accepts.
	maxSnapChunk = 1 << 20
)

// crcWriter counts and checksums what passes through it.
type crcWriter struct {
	w   io.Writer
	n   int64
	crc uint32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	c.n += int64(n)
	return n, err
}

// chunkWriter frames a snapshot into chunks of snapChunk bytes.
type chunkWriter struct {
	w   io.Writer
	buf []byte
	err error
}

// newChunkWriter returns a chunkWriter whose buffer grows as bytes arrive,
// up to a chunk: small snapshots (the simulator writes thousands) do not
// pay for a whole chunk's buffer.
func newChunkWriter(w io.Writer) *chunkWriter {
	return &chunkWriter{w: w, buf: make([]byte, 4, 512)}
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && c.err == nil {
		k := min(len(p), 4+snapChunk-len(c.buf))
		c.buf, p = append(c.buf, p[:k]...), p[k:]
		if len(c.buf) == 4+snapChunk {
			c.flush()
		}
	}
	if c.err != nil {
		return n - len(p), c.err
	}
	return n, nil
}

// flush writes the buffered chunk, if any.
func (c *chunkWriter) flush() {
	if len(c.buf) == 4 || c.err != nil {
		return
	}
	binary.LittleEndian.PutUint32(c.buf, uint32(len(c.buf)-4))
	_, c.err = c.w.Write(c.buf)
	c.buf = c.buf[:4]
}

// close writes the last chunk and the end mark.
func (c *chunkWriter) close() error {
	c.flush()
	if c.err == nil {
		_, c.err = c.w.Write(make([]byte, 4))
	}
	return c.err
}

// crcReader checksums what is read through it.
type crcReader struct {
	r   io.Reader
	crc uint32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

// chunkReader yields a chunked snapshot's bytes and io.EOF at its end mark.
type chunkReader struct {
	r    io.Reader
	left uint32 // bytes left in the current chunk
	done bool   // the end mark was read
	err  error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for c.left == 0 && !c.done && c.err == nil {
		c.next()
	}
	switch {
	case c.err != nil:
		return 0, c.err
	case c.done:
		return 0, io.EOF
	}
	if uint32(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= uint32(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// next reads the next chunk's length.
func (c *chunkReader) next() {
	var h [4]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		c.err = fmt.Errorf("%w: snapshot chunk header: %v", ErrBadCheckpoint, err)
		return
	}
	n := binary.LittleEndian.Uint32(h[:])
	switch {
	case n == 0:
		c.done = true
	case n > maxSnapChunk:
		c.err = fmt.Errorf("%w: snapshot chunk of %d bytes", ErrBadCheckpoint, n)
	default:
		c.left = n
	}
}

// drain reads what the state machine left of the snapshot and reports
// how many bytes that was.
func (c *chunkReader) drain() (int64, error) {
	return io.Copy(io.Discard, c)
}
