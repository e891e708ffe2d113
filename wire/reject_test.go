package wire

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/vr-go/vr/message"
)

// decodeErr decodes body as t and returns the error, failing the test if
// the decoder accepted it.
func decodeErr(t *testing.T, typ message.Type, body []byte, lim Limits) error {
	t.Helper()
	m, err := DecodeMessage(typ, body, lim)
	if err == nil {
		t.Fatalf("DecodeMessage(%v, %x) accepted %+v", typ, body, m)
	}
	if m != nil {
		t.Fatalf("DecodeMessage returned %+v with error %v", m, err)
	}
	return err
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func TestTruncatedBodies(t *testing.T) {
	for _, s := range samples() {
		body := mustBody(t, s.m)
		for n := 0; n < len(body); n++ {
			wantIs(t, decodeErr(t, s.m.Type(), body[:n], Limits{}), ErrMalformed)
		}
	}
}

func TestTrailingBytes(t *testing.T) {
	for _, s := range samples() {
		body := mustBody(t, s.m)
		for _, extra := range [][]byte{{0}, {1, 2, 3, 4, 5, 6, 7, 8}} {
			in := append(append([]byte(nil), body...), extra...)
			wantIs(t, decodeErr(t, s.m.Type(), in, Limits{}), ErrMalformed)
		}
	}
}

// patch returns a copy of b with v written little-endian at off, in size
// bytes.
func patch(b []byte, off, size int, v uint64) []byte {
	c := append([]byte(nil), b...)
	for i := 0; i < size; i++ {
		c[off+i] = byte(v >> (8 * i))
	}
	return c
}

func TestBadEnums(t *testing.T) {
	req := mustBody(t, &message.Request{Kind: message.KindRegister})
	rep := mustBody(t, &message.Reply{Status: message.StatusRejected})
	prep := mustBody(t, &message.Prepare{Entries: run(1, 2, 0)})
	// Kinds 0..4 are valid in both (KindApp, KindRegister, KindRead,
	// KindStaleRead, KindReconfigure): the patch offsets are right. Kind 5
	// (KindConfig) is a request's only, kind 6 (KindRefusal) an entry's
	// only, and 7 is neither's.
	for _, v := range []uint64{2, 3, 4} {
		m, err := DecodeMessage(message.TypeRequest, patch(req, 8+24, 1, v), Limits{})
		if err != nil || m.(*message.Request).Kind != message.RequestKind(v) {
			t.Fatalf("Request of kind %d: %+v, %v", v, m, err)
		}
	}
	for _, v := range []uint64{2, 3, 4, 6} {
		m, err := DecodeMessage(message.TypePrepare, patch(patch(prep, 8+36+40, 1, v), 8+36+45+40, 1, v), Limits{})
		if err != nil || m.(*message.Prepare).Entries[0].Kind != message.RequestKind(v) || m.(*message.Prepare).Entries[1].Kind != message.RequestKind(v) {
			t.Fatalf("Prepare with entries of kind %d: %+v, %v", v, m, err)
		}
	}
	if m, err := DecodeMessage(message.TypeRequest, patch(req, 8+24, 1, 5), Limits{}); err != nil || m.(*message.Request).Kind != message.KindConfig {
		t.Fatalf("Request of kind 5: %+v, %v", m, err)
	}
	for _, v := range []uint64{6, 7, 255} {
		wantIs(t, decodeErr(t, message.TypeRequest, patch(req, 8+24, 1, v), Limits{}), ErrMalformed)
	}
	for _, v := range []uint64{5, 7, 255} {
		wantIs(t, decodeErr(t, message.TypePrepare, patch(prep, 8+36+40, 1, v), Limits{}), ErrMalformed)
		wantIs(t, decodeErr(t, message.TypePrepare, patch(prep, 8+36+45+40, 1, v), Limits{}), ErrMalformed)
	}
	for _, v := range []uint64{5, 6, 255} { // 4 is StatusRefused
		wantIs(t, decodeErr(t, message.TypeReply, patch(rep, 8+25, 1, v), Limits{}), ErrMalformed)
	}
}

// Offsets of the entry count in the bodies of the types with entry lists.
var countOffset = map[message.Type]int{
	message.TypePrepare:          8 + 32,
	message.TypeDoViewChange:     8 + 33,
	message.TypeStartView:        8 + 24,
	message.TypeRecoveryResponse: 8 + 44,
	message.TypeNewState:         8 + 33,
}

// Offsets of the Op field of the types whose log must end at Op.
var opOffset = map[message.Type]int{
	message.TypeDoViewChange:     8 + 16,
	message.TypeStartView:        8 + 8,
	message.TypeRecoveryResponse: 8 + 16,
}

// withEntries returns a valid message of type typ carrying es.
func withEntries(typ message.Type, es []message.Entry) message.Message {
	last := es[len(es)-1].Op
	switch typ {
	case message.TypePrepare:
		return &message.Prepare{View: 1, Entries: es}
	case message.TypeDoViewChange:
		return &message.DoViewChange{View: 1, Op: last, Log: es}
	case message.TypeStartView:
		return &message.StartView{View: 1, Op: last, Log: es}
	case message.TypeRecoveryResponse:
		return &message.RecoveryResponse{View: 1, Op: last, Log: es}
	}
	return &message.NewState{View: 1, Op: last, Entries: es}
}

func TestEntriesMustBeConsecutive(t *testing.T) {
	for typ, co := range countOffset {
		// Entries with empty payloads are minEntrySize bytes each.
		op1 := co + 4 + minEntrySize
		for _, c := range []struct {
			name     string
			from     uint64
			op0, op1 uint64
		}{
			{"gap", 5, 5, 7},
			{"repeat", 5, 5, 5},
			{"backwards", 5, 5, 4},
			{"wrap", math.MaxUint64 - 1, math.MaxUint64, 0},
		} {
			body := mustBody(t, withEntries(typ, run(c.from, 2, 0)))
			body = patch(body, co+4, 8, c.op0)
			body = patch(body, op1, 8, c.op1)
			if o, ok := opOffset[typ]; ok {
				body = patch(body, o, 8, c.op1)
			}
			err := decodeErr(t, typ, body, Limits{})
			wantIs(t, err, ErrMalformed)
		}
	}
}

func TestLogMustEndAtOp(t *testing.T) {
	for typ, o := range opOffset {
		body := mustBody(t, withEntries(typ, run(1, 3, 1)))
		for _, op := range []uint64{0, 2, 4, math.MaxUint64} {
			wantIs(t, decodeErr(t, typ, patch(body, o, 8, op), Limits{}), ErrMalformed)
		}
	}
}

func TestEmptyPrepareRejected(t *testing.T) {
	body := make([]byte, 8+36) // Epoch, View, Commit, Sent, LogBase, count 0
	err := decodeErr(t, message.TypePrepare, body, Limits{})
	wantIs(t, err, ErrMalformed)
	wantIs(t, err, errEmptyPrepare) // not a truncation

}

// Offsets of the Size and Offset fields of a CheckpointChunk.
const (
	chunkSizeOffset   = 8 + 9
	chunkOffsetOffset = 8 + 17
)

func TestChunkMustLieInCheckpoint(t *testing.T) {
	body := mustBody(t, &message.CheckpointChunk{Op: 7, Size: 100, Offset: 90, Data: pattern(10, 0)})
	for _, c := range []struct {
		name         string
		size, offset uint64
	}{
		{"past-size", 100, 91},
		{"size-short", 99, 90},
		{"offset-above-size", 5, 90},
		{"wrap", max64, max64 - 9},
		{"wrap-at-max", max64, max64},
	} {
		in := patch(patch(body, chunkSizeOffset, 8, c.size), chunkOffsetOffset, 8, c.offset)
		err := decodeErr(t, message.TypeCheckpointChunk, in, Limits{})
		if !isErr(err, ErrMalformed) {
			t.Errorf("%s: %v, want %v", c.name, err, ErrMalformed)
		}
	}
	empty := mustBody(t, &message.CheckpointChunk{Size: 100, Offset: 100})
	in := patch(empty, chunkOffsetOffset, 8, 101)
	wantIs(t, decodeErr(t, message.TypeCheckpointChunk, in, Limits{}), ErrMalformed)
}

func TestEncoderRefusesInvalidMessages(t *testing.T) {
	gap := []message.Entry{{Op: 1}, {Op: 3}}
	wrap := []message.Entry{{Op: math.MaxUint64}, {Op: 0}}
	bad := []message.Message{
		&message.Request{Kind: 6},
		&message.Reply{Status: 5},
		&message.Prepare{},
		&message.Prepare{Entries: gap},
		&message.Prepare{Entries: wrap},
		&message.Prepare{Entries: []message.Entry{{Op: 1, Kind: 9}}},
		&message.Prepare{Entries: []message.Entry{{Op: 1, Kind: 5}}},
		&message.DoViewChange{Op: 2, Log: run(1, 1, 0)},
		&message.DoViewChange{Op: 3, Log: gap},
		&message.StartView{Op: 5, Log: run(1, 3, 0)},
		&message.RecoveryResponse{Op: 0, Log: run(1, 1, 0)},
		&message.NewState{Entries: wrap},
		&message.CheckpointChunk{Size: 10, Offset: 9, Data: pattern(2, 0)},
		&message.CheckpointChunk{Size: 10, Offset: 11},
		&message.CheckpointChunk{Size: max64, Offset: max64 - 1, Data: pattern(2, 0)},
		(*message.Commit)(nil),
		(*message.Prepare)(nil),
		(*message.GetCheckpoint)(nil),
		(*message.CheckpointChunk)(nil),
	}
	prefix := []byte("keep")
	for _, m := range bad {
		dst := append(make([]byte, 0, 1024), prefix...)
		out, err := AppendMessage(dst, m)
		wantIs(t, err, ErrMalformed)
		if !bytes.Equal(out, prefix) {
			t.Fatalf("%T: dst changed to %q", m, out)
		}
		out, err = AppendFrame(dst, 1, 1, m)
		wantIs(t, err, ErrMalformed)
		if !bytes.Equal(out, prefix) {
			t.Fatalf("%T: AppendFrame changed dst to %q", m, out)
		}
	}
}

// foreign implements message.Message but is not one of package message's.
type foreign struct{}

func (foreign) Type() message.Type { return message.TypeCommit }

func TestUnknownTypes(t *testing.T) {
	for _, typ := range []message.Type{0, 19, 200, 255} {
		wantIs(t, decodeErr(t, typ, nil, Limits{}), ErrUnknownType)
	}
	for _, m := range []message.Message{nil, foreign{}} {
		out, err := AppendMessage([]byte("x"), m)
		wantIs(t, err, ErrUnknownType)
		if string(out) != "x" {
			t.Fatalf("dst changed to %q", out)
		}
	}
}
