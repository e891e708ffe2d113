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

// The encoding of a checkpoint (format 3):
//
//	magic | op u64 | table length u64 | table | snapshot chunks | crc32c u32
//
// where the table is sessions u64 and, per session by client id, client
// u64 | session id u64 | last request u64 | status u8 | last op u64 |
// result length u32 | result (format 2 had no session id); the snapshot chunks are (length u32 | bytes)* ended by a length
// of 0 (snapshot.go); and the CRC32C covers everything before it. All
// integers are little-endian. The writer streams: it never holds more than
// one chunk, and computes the CRC as the bytes pass.

// tableEntryFixed is the size of a session in the table without its
// result.
const tableEntryFixed = 8 + 8 + 8 + 1 + 8 + 4

// encodeTable encodes the client table, sorted by client id. It runs in
// the replica's step at every checkpoint: its cost is bounded by
// MaxSessions and the results they hold, not by the state.
func (r *Replica) encodeTable() []byte {
	ids := make([]uint64, 0, r.sessions.len())
	size := 8
	for id, s := range r.sessions.sessions {
		ids = append(ids, id)
		size += tableEntryFixed + len(s.result)
	}
	slices.Sort(ids)
	b := make([]byte, 0, size)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(ids)))
	for _, id := range ids {
		s := r.sessions.sessions[id]
		b = binary.LittleEndian.AppendUint64(b, id)
		b = binary.LittleEndian.AppendUint64(b, s.id)
		b = binary.LittleEndian.AppendUint64(b, s.lastRequest)
		b = append(b, byte(s.status))
		b = binary.LittleEndian.AppendUint64(b, s.lastOp)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s.result)))
		b = append(b, s.result...)
	}
	return b
}

// writeCheckpoint streams the encoding of the checkpoint at op (one full
// record) to w.
func writeCheckpoint(w io.Writer, op uint64, table []byte, snap Snapshot) (int64, error) {
	return writeRecord(w, checkpointMagic, op, 0, table, snap.WriteTo)
}

// writeRecord streams one record of a checkpoint's chain to w: a full one
// (checkpointMagic: the header has no prev) or a delta (deltaMagic), whose
// state machine part body writes.
func writeRecord(w io.Writer, magic string, op, prev uint64, table []byte, body func(io.Writer) (int64, error)) (int64, error) {
	cw := &crcWriter{w: w}
	hdr := make([]byte, 0, len(magic)+24)
	hdr = append(hdr, magic...)
	hdr = binary.LittleEndian.AppendUint64(hdr, op)
	if magic == deltaMagic {
		hdr = binary.LittleEndian.AppendUint64(hdr, prev)
	}
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(table)))
	if _, err := cw.Write(hdr); err != nil {
		return cw.n, err
	}
	if _, err := cw.Write(table); err != nil {
		return cw.n, err
	}
	ch := newChunkWriter(cw)
	if _, err := body(ch); err != nil {
		return cw.n, fmt.Errorf("snapshot at op %d: %w", op, err)
	}
	if err := ch.close(); err != nil {
		return cw.n, err
	}
	n, err := w.Write(binary.LittleEndian.AppendUint32(nil, cw.crc))
	return cw.n + int64(n), err
}

// ckptDecoder reads an encoded checkpoint as a stream of records: per
// record (next) the header and the client table, then (snap) the state
// machine's part, then the checksum, which endRecord checks.
type ckptDecoder struct {
	src      *bufio.Reader
	crc      *crcReader
	snap     *chunkReader
	sessions map[uint64]*session
	rec      CheckpointRecord
}

func newCkptDecoder(r io.Reader) *ckptDecoder {
	return &ckptDecoder{src: bufio.NewReaderSize(r, readBuffer(r))}
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

// next reads the next record's header and client table (of at most
// maxSessions sessions; 0: any number).
func (d *ckptDecoder) next(maxSessions int) error {
	d.crc = &crcReader{r: d.src}
	d.snap = &chunkReader{r: d.crc}
	var h [len(checkpointMagic) + 8]byte
	if _, err := io.ReadFull(d.crc, h[:]); err != nil {
		return fmt.Errorf("%w: header: %v", ErrBadCheckpoint, err)
	}
	d.rec = CheckpointRecord{Op: binary.LittleEndian.Uint64(h[len(checkpointMagic):])}
	var rest [16]byte
	fields := rest[:8]
	switch string(h[:len(checkpointMagic)]) {
	case checkpointMagic:
	case deltaMagic:
		d.rec.Delta, fields = true, rest[:]
	default:
		return fmt.Errorf("%w: bad magic or version", ErrBadCheckpoint)
	}
	if _, err := io.ReadFull(d.crc, fields); err != nil {
		return fmt.Errorf("%w: header: %v", ErrBadCheckpoint, err)
	}
	if d.rec.Delta {
		d.rec.Prev, fields = binary.LittleEndian.Uint64(fields), fields[8:]
	}
	n := binary.LittleEndian.Uint64(fields)
	var table bytes.Buffer // grows only as bytes arrive, whatever n says
	if k, err := table.ReadFrom(io.LimitReader(d.crc, int64(min(n, 1<<62)))); err != nil || uint64(k) != n {
		return fmt.Errorf("%w: client table of %d bytes cut at %d (%v)", ErrBadCheckpoint, n, k, err)
	}
	s, err := decodeTable(table.Bytes(), maxSessions)
	d.sessions = s
	return err
}

// endRecord checks the record's checksum after the snapshot's end mark
// and reports whether the chain ends there (nothing follows).
func (d *ckptDecoder) endRecord() (last bool, err error) {
	if !d.snap.done {
		return false, fmt.Errorf("%w: snapshot not read to its end", ErrBadCheckpoint)
	}
	var sum [4]byte
	if _, err := io.ReadFull(d.src, sum[:]); err != nil {
		return false, fmt.Errorf("%w: checksum: %v", ErrBadCheckpoint, err)
	}
	if binary.LittleEndian.Uint32(sum[:]) != d.crc.crc {
		return false, fmt.Errorf("%w: checksum mismatch", ErrBadCheckpoint)
	}
	if _, err := d.src.Peek(1); errors.Is(err, io.EOF) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("%w: after record of op %d: %v", ErrBadCheckpoint, d.rec.Op, err)
	}
	return false, nil
}

// readChain reads a checkpoint's records in order and checks the chain:
// the first record is full, every later one a delta that follows the
// record before it, each intact, and the last of op. For each record,
// use (if not nil) reads the state machine's part; what it leaves is read
// and counted as an error of that record. It returns the last record's
// client table. An error from use is returned as it is, with the index of
// the record.
func readChain(r io.Reader, op uint64, maxSessions int, use func(i int, rec CheckpointRecord, snap io.Reader) error) (map[uint64]*session, error) {
	return readChainFrom(r, op, 0, maxSessions, use)
}

// readChainFrom is readChain of the part of a chain after its record of
// op from (0: the whole chain): only deltas, the first following from.
func readChainFrom(r io.Reader, op, from uint64, maxSessions int, use func(i int, rec CheckpointRecord, snap io.Reader) error) (map[uint64]*session, error) {
	d := newCkptDecoder(r)
	prev := from
	for i := 0; ; i++ {
		if err := d.next(maxSessions); err != nil {
			return nil, err
		}
		delta := i > 0 || from != 0
		switch {
		case d.rec.Delta != delta:
			return nil, fmt.Errorf("%w: record %d (op %d): a chain is one full record and then deltas", ErrBadCheckpoint, i, d.rec.Op)
		case delta && (d.rec.Prev != prev || d.rec.Op <= prev):
			return nil, fmt.Errorf("%w: delta at op %d follows op %d, not %d", ErrBadCheckpoint, d.rec.Op, d.rec.Prev, prev)
		case d.rec.Op > op:
			return nil, fmt.Errorf("%w: holds op %d, expected %d", ErrBadCheckpoint, d.rec.Op, op)
		}
		if use != nil {
			if err := use(i, d.rec, d.snap); err != nil {
				return nil, err
			}
		}
		if n, err := d.snap.drain(); err != nil || (use != nil && n != 0) {
			return nil, fmt.Errorf("%w: %d snapshot bytes left unread (%v)", ErrBadCheckpoint, n, err)
		}
		last, err := d.endRecord()
		if err != nil {
			return nil, err
		}
		prev = d.rec.Op
		if last {
			if prev != op {
				return nil, fmt.Errorf("%w: holds op %d, expected %d", ErrBadCheckpoint, prev, op)
			}
			return d.sessions, nil
		}
	}
}

// decodeTable decodes an encoded client table.
func decodeTable(b []byte, maxSessions int) (map[uint64]*session, error) {
	c := ckptReader{b: b}
	n := c.u64()
	if n > uint64(len(c.b))/tableEntryFixed || (maxSessions > 0 && n > uint64(maxSessions)) {
		return nil, fmt.Errorf("%w: %d sessions in %d bytes", ErrBadCheckpoint, n, len(c.b))
	}
	sessions := make(map[uint64]*session, n)
	for range n {
		id := c.u64()
		s := &session{id: c.u64(), lastRequest: c.u64(), status: message.ReplyStatus(c.u8()), lastOp: c.u64()}
		s.result = c.bytes(uint64(c.u32()))
		if s.id == 0 || s.lastOp < s.id || sessions[id] != nil {
			// No Register executes at op 0, a session's last op is at or
			// after its Register's, and a client has one session.
			c.bad = true
		}
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
