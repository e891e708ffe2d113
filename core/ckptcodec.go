package core

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/vr-go/vr/message"
)

// The encoding of a checkpoint (format 2):
//
//	magic | op u64 | table length u64 | table | snapshot chunks | crc32c u32
//
// where the table is sessions u64 and, per session by client id, client
// u64 | last request u64 | status u8 | last op u64 | result length u32 |
// result; the snapshot chunks are (length u32 | bytes)* ended by a length
// of 0 (snapshot.go); and the CRC32C covers everything before it. All
// integers are little-endian. The writer streams: it never holds more than
// one chunk, and computes the CRC as the bytes pass.

// encodeTable encodes the client table, sorted by client id. It runs in
// the replica's step at every checkpoint: its cost is bounded by
// MaxSessions and the results they hold, not by the state.
func (r *Replica) encodeTable() []byte {
	ids := make([]uint64, 0, r.sessions.len())
	size := 8
	for id, s := range r.sessions.sessions {
		ids = append(ids, id)
		size += 29 + len(s.result)
	}
	slices.Sort(ids)
	b := make([]byte, 0, size)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(ids)))
	for _, id := range ids {
		s := r.sessions.sessions[id]
		b = binary.LittleEndian.AppendUint64(b, id)
		b = binary.LittleEndian.AppendUint64(b, s.lastRequest)
		b = append(b, byte(s.status))
		b = binary.LittleEndian.AppendUint64(b, s.lastOp)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s.result)))
		b = append(b, s.result...)
	}
	return b
}

// writeCheckpoint streams the encoding of the checkpoint at op to w.
func writeCheckpoint(w io.Writer, op uint64, table []byte, snap Snapshot) (int64, error) {
	cw := &crcWriter{w: w}
	hdr := make([]byte, 0, len(checkpointMagic)+16)
	hdr = append(hdr, checkpointMagic...)
	hdr = binary.LittleEndian.AppendUint64(hdr, op)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(table)))
	if _, err := cw.Write(hdr); err != nil {
		return cw.n, err
	}
	if _, err := cw.Write(table); err != nil {
		return cw.n, err
	}
	ch := newChunkWriter(cw)
	if _, err := snap.WriteTo(ch); err != nil {
		return cw.n, fmt.Errorf("snapshot at op %d: %w", op, err)
	}
	if err := ch.close(); err != nil {
		return cw.n, err
	}
	n, err := w.Write(binary.LittleEndian.AppendUint32(nil, cw.crc))
	return cw.n + int64(n), err
}

// ckptDecoder reads an encoded checkpoint as a stream: the header and the
// client table, then (snap) the state machine's snapshot, then the
// checksum, which finish checks.
type ckptDecoder struct {
	src      *bufio.Reader
	crc      *crcReader
	snap     *chunkReader
	sessions map[uint64]*session
}

func newCkptDecoder(r io.Reader) *ckptDecoder {
	b := bufio.NewReaderSize(r, readBuffer(r))
	c := &crcReader{r: b}
	return &ckptDecoder{src: b, crc: c, snap: &chunkReader{r: c}}
}

// readBuffer is the size of the read buffer for r: 64 KiB, or less for
// bytes in memory that are fewer (the simulator reads thousands of small
// checkpoints).
func readBuffer(r io.Reader) int {
	const size = 64 << 10
	if l, ok := r.(interface{ Len() int }); ok && l.Len() < size {
		return l.Len() // bufio makes it at least 16 bytes
	}
	return size
}

// header reads the magic, checks that the checkpoint is of op, and decodes
// the client table (of at most maxSessions sessions; 0: any number).
func (d *ckptDecoder) header(op uint64, maxSessions int) error {
	var h [len(checkpointMagic) + 16]byte
	if _, err := io.ReadFull(d.crc, h[:]); err != nil {
		return fmt.Errorf("%w: header: %v", ErrBadCheckpoint, err)
	}
	if string(h[:len(checkpointMagic)]) != checkpointMagic {
		return fmt.Errorf("%w: bad magic or version", ErrBadCheckpoint)
	}
	if got := binary.LittleEndian.Uint64(h[len(checkpointMagic):]); got != op {
		return fmt.Errorf("%w: holds op %d, expected %d", ErrBadCheckpoint, got, op)
	}
	n := binary.LittleEndian.Uint64(h[len(checkpointMagic)+8:])
	var table bytes.Buffer // grows only as bytes arrive, whatever n says
	if k, err := table.ReadFrom(io.LimitReader(d.crc, int64(min(n, 1<<62)))); err != nil || uint64(k) != n {
		return fmt.Errorf("%w: client table of %d bytes cut at %d (%v)", ErrBadCheckpoint, n, k, err)
	}
	s, err := decodeTable(table.Bytes(), maxSessions)
	d.sessions = s
	return err
}

// finish checks the checksum after the snapshot's end mark, and that
// nothing follows it.
func (d *ckptDecoder) finish() error {
	if !d.snap.done {
		return fmt.Errorf("%w: snapshot not read to its end", ErrBadCheckpoint)
	}
	var sum [4]byte
	if _, err := io.ReadFull(d.src, sum[:]); err != nil {
		return fmt.Errorf("%w: checksum: %v", ErrBadCheckpoint, err)
	}
	if binary.LittleEndian.Uint32(sum[:]) != d.crc.crc {
		return fmt.Errorf("%w: checksum mismatch", ErrBadCheckpoint)
	}
	if _, err := d.src.ReadByte(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: bytes after the checksum (%v)", ErrBadCheckpoint, err)
	}
	return nil
}

// decodeTable decodes an encoded client table.
func decodeTable(b []byte, maxSessions int) (map[uint64]*session, error) {
	c := ckptReader{b: b}
	n := c.u64()
	if n > uint64(len(c.b))/29 || (maxSessions > 0 && n > uint64(maxSessions)) {
		return nil, fmt.Errorf("%w: %d sessions in %d bytes", ErrBadCheckpoint, n, len(c.b))
	}
	sessions := make(map[uint64]*session, n)
	for range n {
		id := c.u64()
		s := &session{lastRequest: c.u64(), status: message.ReplyStatus(c.u8()), lastOp: c.u64()}
		s.result = c.bytes(uint64(c.u32()))
		sessions[id] = s
	}
	if c.bad || len(c.b) != 0 {
		return nil, fmt.Errorf("%w: malformed client table", ErrBadCheckpoint)
	}
	return sessions, nil
}

// ckptReader reads little-endian fields; a short read sets bad.
type ckptReader struct {
	b   []byte
	bad bool
}

func (c *ckptReader) take(n uint64) []byte {
	if c.bad || n > uint64(len(c.b)) {
		c.bad = true
		return nil
	}
	v := c.b[:n:n]
	c.b = c.b[n:]
	return v
}

func (c *ckptReader) u8() byte {
	if b := c.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *ckptReader) u32() uint32 {
	if b := c.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (c *ckptReader) u64() uint64 {
	if b := c.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (c *ckptReader) bytes(n uint64) []byte { return slices.Clone(c.take(n)) }
