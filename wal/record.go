package wal

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// Record types (the byte after the checksum). The values are part of the
// file format and must never be reused or renumbered.
const (
	recEntry byte = 1 // a log entry
	recCut   byte = 2 // the log ends at op-1
	recHard  byte = 3 // the replica's hard state
	recEnd   byte = 4 // closes a group; carries its sequence number
	recReset byte = 5 // the log is empty and continues at op
	// 6 is the type byte of a format-2 segment header (format.go).
	recSync byte = 7 // ends a sync round; carries the last group's seq and its own offset
	// recEntryS is a log entry with its session (message.Entry.Session),
	// written since entries carry one; recEntry records, written before,
	// are still read, as entries of session 0. Decoding either gives a
	// record of type recEntry.
	recEntryS byte = 8
)

const (
	lenSize    = 4 // the length field
	crcSize    = 4 // the checksum field
	typeSize   = 1 // the type byte
	headSize   = lenSize + crcSize
	frameSize  = headSize + typeSize
	entryFixed = 4*8 + 1 // op, view, client, request, kind (recEntry)
	// entryFixedS is the fixed part of a recEntryS: op, view, client,
	// request, session, kind.
	entryFixedS = 5*8 + 1
	cutBody     = 8     // op
	hardBody    = 5 * 8 // view, last normal view, promised view, commit, announced view
	hardBodyV1  = 4 * 8 // written before the announced view was recorded
	// hardEpochFixed is what follows hardBody in the hard state of a
	// replica past epoch 0: epoch, epoch op, next id, and the counts of the
	// two member lists (each member 2 bytes: id, role). The members'
	// addresses may follow (message.AppendAddrs).
	hardEpochFixed = 8 + 8 + 8 + 2 + 1 + 1
	endBody        = 8     // group sequence number
	syncBody       = 2 * 8 // group sequence number, offset of the record

	// minLength is the smallest valid value of the length field.
	minLength = crcSize + typeSize + cutBody
	// MaxPayloadLimit is the largest value Options.MaxPayload may take. Open
	// reads records up to this size whatever MaxPayload is, so lowering
	// MaxPayload never makes old records unreadable.
	MaxPayloadLimit = 1 << 30
	maxLength       = crcSize + typeSize + entryFixedS + MaxPayloadLimit

	cutSize  = frameSize + cutBody
	hardSize = frameSize + hardBody
	endSize  = frameSize + endBody
	syncSize = frameSize + syncBody
	// minRecord is the size of the smallest record.
	minRecord = lenSize + minLength
)

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	le         = binary.LittleEndian
)

// record is one decoded record. Only the fields of its type are set.
type record struct {
	typ   byte           // recEntryS decodes as recEntry
	entry message.Entry  // recEntry; the payload aliases the decoded buffer
	op    uint64         // recCut, recReset
	hard  core.HardState // recHard
	seq   uint64         // recEnd, recSync
	off   uint64         // recSync
}

// entrySize is the encoded size of the entry record of e.
func entrySize(e *message.Entry) int64 {
	return int64(frameSize + entryFixedS + len(e.Payload))
}

// beginRecord appends the frame of a record of type typ to buf, with the
// length and checksum left to finishRecord, and returns where it starts.
func beginRecord(buf []byte, typ byte) ([]byte, int) {
	start := len(buf)
	buf = le.AppendUint32(buf, 0) // length
	buf = le.AppendUint32(buf, 0) // checksum
	return append(buf, typ), start
}

// finishRecord fills in the length and checksum of the record at start.
func finishRecord(buf []byte, start int) []byte {
	le.PutUint32(buf[start:], uint32(len(buf)-start-lenSize))
	le.PutUint32(buf[start+lenSize:], crc32.Checksum(buf[start+headSize:], castagnoli))
	return buf
}

// appendEntry appends the entry record of e to buf.
func appendEntry(buf []byte, e *message.Entry) []byte {
	buf, start := beginRecord(buf, recEntryS)
	buf = le.AppendUint64(buf, e.Op)
	buf = le.AppendUint64(buf, e.View)
	buf = le.AppendUint64(buf, e.ClientID)
	buf = le.AppendUint64(buf, e.RequestNum)
	buf = le.AppendUint64(buf, e.Session)
	buf = append(buf, byte(e.Kind))
	buf = append(buf, e.Payload...)
	return finishRecord(buf, start)
}

// appendCut appends a cut record (the log ends at op-1) to buf.
func appendCut(buf []byte, op uint64) []byte {
	buf, start := beginRecord(buf, recCut)
	return finishRecord(le.AppendUint64(buf, op), start)
}

// appendReset appends a reset record (the log is empty and continues at op:
// every op below it is dropped) to buf.
func appendReset(buf []byte, op uint64) []byte {
	buf, start := beginRecord(buf, recReset)
	return finishRecord(le.AppendUint64(buf, op), start)
}

// appendHard appends a hard-state record to buf.
func appendHard(buf []byte, hs *core.HardState) []byte {
	buf, start := beginRecord(buf, recHard)
	buf = le.AppendUint64(buf, hs.View)
	buf = le.AppendUint64(buf, hs.LastNormalView)
	buf = le.AppendUint64(buf, hs.PromisedView)
	buf = le.AppendUint64(buf, hs.Commit)
	buf = le.AppendUint64(buf, hs.AnnouncedView)
	if hs.Epoch > 0 { // epoch 0 keeps the record of before reconfiguration
		buf = le.AppendUint64(buf, hs.Epoch)
		buf = le.AppendUint64(buf, hs.EpochOp)
		buf = le.AppendUint64(buf, hs.EpochOpView)
		buf = le.AppendUint16(buf, hs.NextID)
		buf = appendMembers(buf, hs.Members)
		buf = appendMembers(buf, hs.Prev)
		// The members' addresses, only if any has one: records written
		// before addresses existed decode unchanged.
		buf = message.AppendAddrs(buf, hs.Members, hs.Prev)
	}
	return finishRecord(buf, start)
}

// appendEnd appends the end record of group seq to buf.
func appendEnd(buf []byte, seq uint64) []byte {
	buf, start := beginRecord(buf, recEnd)
	return finishRecord(le.AppendUint64(buf, seq), start)
}

// appendSync appends the sync record of a round to buf: seq is the last
// group written, off the offset the record goes to.
func appendSync(buf []byte, seq, off uint64) []byte {
	buf, start := beginRecord(buf, recSync)
	buf = le.AppendUint64(buf, seq)
	return finishRecord(le.AppendUint64(buf, off), start)
}

// decodeRecord decodes the record at the start of b and returns it with its
// encoded size. An entry's payload aliases b. The error is errIncomplete,
// errBadLength or errChecksum for damage a torn write can leave, and
// errBadType for a record whose checksum holds but whose type or size is
// unknown.
func decodeRecord(b []byte) (record, int, error) {
	if len(b) < lenSize {
		return record{}, 0, errIncomplete
	}
	n := le.Uint32(b)
	if n < minLength || n > maxLength {
		return record{}, 0, errBadLength
	}
	size := lenSize + int(n)
	if len(b) < size {
		return record{}, 0, errIncomplete
	}
	if crc32.Checksum(b[headSize:size], castagnoli) != le.Uint32(b[lenSize:]) {
		return record{}, 0, errChecksum
	}
	rec, err := decodeBody(b[headSize], b[frameSize:size])
	return rec, size, err
}

// decodeBody decodes the body of a record of type typ.
func decodeBody(typ byte, body []byte) (record, error) {
	rec := record{typ: typ}
	switch {
	case typ == recEntry && len(body) >= entryFixed:
		rec.entry = decodeEntry(body, false)
	case typ == recEntryS && len(body) >= entryFixedS:
		rec.typ, rec.entry = recEntry, decodeEntry(body, true)
	case (typ == recCut || typ == recReset) && len(body) == cutBody:
		rec.op = le.Uint64(body)
	case typ == recHard && (len(body) == hardBody || len(body) == hardBodyV1):
		rec.hard = core.HardState{View: le.Uint64(body[0:]), LastNormalView: le.Uint64(body[8:]),
			PromisedView: le.Uint64(body[16:]), Commit: le.Uint64(body[24:])}
		if len(body) == hardBody { // older records lack it: the core takes View
			rec.hard.AnnouncedView = le.Uint64(body[32:])
		}
	case typ == recHard && len(body) > hardBody:
		h, ok := decodeEpochHard(body)
		if !ok {
			return record{}, errBadType
		}
		rec.hard = h
	case typ == recEnd && len(body) == endBody:
		rec.seq = le.Uint64(body)
	case typ == recSync && len(body) == syncBody:
		rec.seq, rec.off = le.Uint64(body), le.Uint64(body[8:])
	default:
		return record{}, errBadType
	}
	return rec, nil
}

// decodeEntry decodes the body of an entry record, with a session field
// (recEntryS) or without (recEntry, session 0). The payload aliases body.
func decodeEntry(body []byte, session bool) message.Entry {
	e := message.Entry{
		Op:         le.Uint64(body[0:]),
		View:       le.Uint64(body[8:]),
		ClientID:   le.Uint64(body[16:]),
		RequestNum: le.Uint64(body[24:]),
	}
	fixed := entryFixed
	if session {
		e.Session = le.Uint64(body[32:])
		fixed = entryFixedS
	}
	e.Kind = message.RequestKind(body[fixed-1])
	if len(body) > fixed {
		e.Payload = body[fixed:]
	}
	return e
}

// opOf returns the op-number a record names (0 for hard and end records).
func opOf(rec *record) uint64 {
	switch rec.typ {
	case recEntry:
		return rec.entry.Op
	case recCut, recReset:
		return rec.op
	}
	return 0
}

// storedOp returns the op field of the (possibly damaged) entry or cut
// record at the start of b, or 0 if there is none to read.
func storedOp(b []byte) uint64 {
	if len(b) < frameSize+8 {
		return 0
	}
	if t := b[headSize]; t != recEntry && t != recEntryS && t != recCut {
		return 0
	}
	return le.Uint64(b[frameSize:])
}

// validRecordAt reports whether a whole, checksum-valid record of a known
// type starts at b[0]. Cheap checks of the length and type fields come
// first, so that scans over garbage seldom compute checksums.
func validRecordAt(b []byte) bool {
	if len(b) < minRecord {
		return false
	}
	n := le.Uint32(b)
	if n < minLength || int64(n) > int64(len(b)-lenSize) {
		return false
	}
	if t := b[headSize]; (t < recEntry || t > recReset) && t != recSync && t != recEntryS {
		return false
	}
	_, _, err := decodeRecord(b)
	return err == nil
}

// appendMembers appends a member list: a count, then each id and role.
func appendMembers(buf []byte, ms []message.Member) []byte {
	buf = append(buf, uint8(len(ms)))
	for _, m := range ms {
		buf = append(buf, m.ID, m.Role)
	}
	return buf
}

// decodeEpochHard decodes the hard state of a replica past epoch 0.
func decodeEpochHard(body []byte) (core.HardState, bool) {
	if len(body) < hardBody+hardEpochFixed {
		return core.HardState{}, false
	}
	h := core.HardState{View: le.Uint64(body[0:]), LastNormalView: le.Uint64(body[8:]),
		PromisedView: le.Uint64(body[16:]), Commit: le.Uint64(body[24:]), AnnouncedView: le.Uint64(body[32:]),
		Epoch: le.Uint64(body[40:]), EpochOp: le.Uint64(body[48:]), EpochOpView: le.Uint64(body[56:]),
		NextID: le.Uint16(body[64:])}
	rest := body[66:]
	var ok bool
	if h.Members, rest, ok = decodeMembers(rest); !ok {
		return h, false
	}
	if h.Prev, rest, ok = decodeMembers(rest); !ok {
		return h, false
	}
	return h, message.DecodeAddrs(rest, h.Members, h.Prev) == nil
}

func decodeMembers(b []byte) ([]message.Member, []byte, bool) {
	if len(b) < 1 || len(b) < 1+2*int(b[0]) {
		return nil, b, false
	}
	n := int(b[0])
	ms := make([]message.Member, n)
	for i := range ms {
		ms[i] = message.Member{ID: b[1+2*i], Role: b[2+2*i]}
	}
	return ms, b[1+2*n:], true
}

// hardRecordSize is the encoded size of a hard-state record of hs.
func hardRecordSize(hs *core.HardState) int64 {
	if hs.Epoch == 0 {
		return hardSize
	}
	return hardSize + hardEpochFixed + 2*int64(len(hs.Members)+len(hs.Prev)) + int64(message.AddrsSize(hs.Members, hs.Prev))
}
