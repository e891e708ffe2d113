package core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"github.com/vr-go/vr/message"
)

// Checkpoint is the replicated state after executing every op up to Op: the
// client table and the state machine's snapshot, in one self-checking
// encoding (see encodeCheckpoint). Every replica checkpoints at the same
// ops, so checkpoints of the same op are byte-for-byte equal.
type Checkpoint struct {
	Op   uint64
	Data []byte
}

// ErrBadCheckpoint is returned (wrapped) for checkpoint bytes that fail
// their checksum or do not decode.
var ErrBadCheckpoint = errors.New("core: bad checkpoint")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkpointMagic starts every encoded checkpoint; the last byte is the
// format version.
const checkpointMagic = "VRck\x01"

// maybeCheckpoint takes a checkpoint when one is due (checkpointDue) and
// drops the log up to the checkpoint before it, so that a backup lagging by
// less than an interval still gets log entries.
func (r *Replica) maybeCheckpoint() {
	if !r.checkpointDue() {
		return
	}
	r.prevCkpt = r.ckpt
	r.ckpt = Checkpoint{Op: r.executed, Data: r.encodeCheckpoint()}
	r.sinceCkpt = 0
	r.emitCheckpoint()
	r.truncateLog(r.prevCkpt.Op)
}

// checkpointDue reports whether the op just executed ends a checkpoint
// interval: it is a multiple of CheckpointInterval, or the entries
// executed since the last checkpoint reached CheckpointBytes. Both are
// functions of the committed log from the last checkpoint on, and every
// checkpoint a replica holds or installs is one that replicas took by this
// rule from op 0, so by induction every replica checkpoints at the same ops
// — restarted or not, checkpoint installed by transfer or not.
func (r *Replica) checkpointDue() bool {
	if r.executed <= r.ckpt.Op {
		return false
	}
	if k := r.cfg.CheckpointInterval; k != 0 && r.executed%k == 0 {
		return true
	}
	switch {
	case r.cfg.bugs.CheckpointByOpsOnly:
		return false
	case r.cfg.bugs.CheckpointByLogSize:
		return r.logBytes >= r.cfg.CheckpointBytes
	}
	return r.sinceCkpt >= r.cfg.CheckpointBytes
}

// encodeCheckpoint encodes the replicated state at executed:
//
//	magic | op u64 | sessions u64 | per session, by client id: client u64 |
//	last request u64 | status u8 | last op u64 | result length u32 | result |
//	snapshot length u64 | snapshot | crc32c u32 of everything before
func (r *Replica) encodeCheckpoint() []byte {
	ids := make([]uint64, 0, r.sessions.len())
	for id := range r.sessions.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	snap := r.sm.Snapshot()
	b := make([]byte, 0, len(checkpointMagic)+16+len(ids)*32+len(snap)+12)
	b = append(b, checkpointMagic...)
	b = binary.LittleEndian.AppendUint64(b, r.executed)
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
	b = binary.LittleEndian.AppendUint64(b, uint64(len(snap)))
	b = append(b, snap...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodedCheckpoint is a checkpoint taken apart.
type decodedCheckpoint struct {
	op       uint64
	sessions map[uint64]*session
	snapshot []byte
}

// decodeCheckpoint checks and decodes an encoded checkpoint.
func decodeCheckpoint(data []byte) (decodedCheckpoint, error) {
	var d decodedCheckpoint
	if len(data) < len(checkpointMagic)+4 {
		return d, fmt.Errorf("%w: %d bytes is too short", ErrBadCheckpoint, len(data))
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(body):]) {
		return d, fmt.Errorf("%w: checksum mismatch", ErrBadCheckpoint)
	}
	if string(body[:len(checkpointMagic)]) != checkpointMagic {
		return d, fmt.Errorf("%w: bad magic or version", ErrBadCheckpoint)
	}
	c := ckptReader{b: body[len(checkpointMagic):]}
	d.op = c.u64()
	n := c.u64()
	if n > uint64(len(c.b))/29 {
		return d, fmt.Errorf("%w: %d sessions in %d bytes", ErrBadCheckpoint, n, len(c.b))
	}
	d.sessions = make(map[uint64]*session, n)
	for range n {
		id := c.u64()
		s := &session{lastRequest: c.u64(), status: message.ReplyStatus(c.u8()), lastOp: c.u64()}
		s.result = c.bytes(uint64(c.u32()))
		d.sessions[id] = s
	}
	d.snapshot = c.bytes(c.u64())
	if c.bad || len(c.b) != 0 {
		return d, fmt.Errorf("%w: malformed body", ErrBadCheckpoint)
	}
	return d, nil
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

// installCheckpoint restores the state machine and the client table from
// ck and makes it this replica's newest checkpoint. ck.Op must lie in
// [base, commit] and above executed. It reports whether ck was usable.
func (r *Replica) installCheckpoint(ck Checkpoint) bool {
	if ck.Op < r.base || ck.Op > r.commit || ck.Op <= r.executed {
		return false
	}
	d, err := decodeCheckpoint(ck.Data)
	if err != nil || d.op != ck.Op || len(d.sessions) > r.cfg.MaxSessions {
		return false
	}
	if err := r.sm.Restore(d.snapshot); err != nil {
		return false
	}
	r.sessions.sessions = d.sessions
	r.executed = ck.Op
	r.prevCkpt, r.ckpt = Checkpoint{}, ck
	r.sinceCkpt = 0
	r.emitCheckpoint()
	r.out.Applied = append(r.out.Applied, Applied{Entry: message.Entry{Op: ck.Op}, Restored: true})
	r.truncateLog(ck.Op)
	r.afterRestore()
	r.execute()
	return true
}

// afterRestore drops in-flight bookkeeping that the restore made stale.
func (r *Replica) afterRestore() {
	if r.status == StatusNormal && r.isPrimary() {
		r.rebuildInflight()
	}
}

// emitCheckpoint hands the newest checkpoint to the driver in a value of its
// own (the replica's field changes with the next checkpoint).
func (r *Replica) emitCheckpoint() {
	ck := r.ckpt
	r.out.Checkpoint = &ck
}

// Verify checks that c's bytes are an intact checkpoint of op c.Op: the
// checksum holds, the encoding is well formed and names the same op.
// Drivers call it on a checkpoint read from disk.
func (c Checkpoint) Verify() error {
	d, err := decodeCheckpoint(c.Data)
	if err != nil {
		return err
	}
	if d.op != c.Op {
		return fmt.Errorf("%w: holds op %d, expected %d", ErrBadCheckpoint, d.op, c.Op)
	}
	return nil
}
