package wire

import (
	"math"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxBody: 64 << 20, MaxEntries: 1 << 20, MaxPayload: 2 << 20}
	if got := DefaultLimits(); got != want {
		t.Fatalf("DefaultLimits() = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxBody: -1}).orDefaults(); got != want {
		t.Fatalf("zero limits mean %+v, want %+v", got, want)
	}
	if got := (Limits{MaxEntries: 3}).orDefaults(); got.MaxEntries != 3 || got.MaxBody != want.MaxBody {
		t.Fatalf("set field not kept: %+v", got)
	}
}

func TestEntryCountLimit(t *testing.T) {
	lim := Limits{MaxEntries: 2}
	ok := mustBody(t, &message.Prepare{Entries: run(1, 2, 0)})
	if _, err := DecodeMessage(message.TypePrepare, ok, lim); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	for typ := range countOffset {
		body := mustBody(t, withEntries(typ, run(1, 3, 0)))
		wantIs(t, decodeErr(t, typ, body, lim), ErrTooLarge)
	}
}

func TestPayloadLimit(t *testing.T) {
	lim := Limits{MaxPayload: 10}
	cases := []func(n int) message.Message{
		func(n int) message.Message { return &message.Request{Payload: pattern(n, 0)} },
		func(n int) message.Message { return &message.Reply{Result: pattern(n, 0)} },
		func(n int) message.Message { return &message.Prepare{Entries: run(1, 1, n)} },
		func(n int) message.Message { return &message.NewState{Entries: run(1, 1, n)} },
	}
	for _, mk := range cases {
		at := mk(10)
		if _, err := DecodeMessage(at.Type(), mustBody(t, at), lim); err != nil {
			t.Fatalf("%T at the limit: %v", at, err)
		}
		over := mk(11)
		wantIs(t, decodeErr(t, over.Type(), mustBody(t, over), lim), ErrTooLarge)
	}
}

func TestChunkLimit(t *testing.T) {
	if MaxChunk != 8<<20 || MaxChunk+37 > defaultMaxBody {
		t.Fatalf("MaxChunk %d does not fit a body of %d bytes", MaxChunk, defaultMaxBody)
	}
	chunk := func(n int) *message.CheckpointChunk {
		return &message.CheckpointChunk{Op: 9, Size: MaxChunk + 1, Data: pattern(n, 0)}
	}
	at := mustBody(t, chunk(MaxChunk))
	if _, err := DecodeMessage(message.TypeCheckpointChunk, at, Limits{}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	// MaxPayload does not bound chunks.
	small := mustBody(t, chunk(11))
	if _, err := DecodeMessage(message.TypeCheckpointChunk, small, Limits{MaxPayload: 10}); err != nil {
		t.Fatalf("chunk above MaxPayload: %v", err)
	}
	// Over the limit, the encoder refuses and the decoder rejects.
	out, err := AppendMessage([]byte("x"), chunk(MaxChunk+1))
	wantIs(t, err, ErrTooLarge)
	if string(out) != "x" {
		t.Fatalf("dst changed to %d bytes", len(out))
	}
	over := append(patch(at, 8+37, 4, MaxChunk+1), 0)
	wantIs(t, decodeErr(t, message.TypeCheckpointChunk, over, Limits{}), ErrTooLarge)
	wantIs(t, decodeErr(t, message.TypeCheckpointChunk, over, Limits{MaxPayload: 1 << 30}), ErrTooLarge)
}

func TestBodyLimit(t *testing.T) {
	m := &message.Request{Payload: pattern(30, 0)}
	body := mustBody(t, m)
	if _, err := DecodeMessage(m.Type(), body, Limits{MaxBody: len(body)}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	wantIs(t, decodeErr(t, m.Type(), body, Limits{MaxBody: len(body) - 1}), ErrTooLarge)
}

// Lengths and counts beyond the limits are refused before any allocation;
// within the limits but beyond the data, they are truncations.
func TestHugeDeclaredLengths(t *testing.T) {
	// A Prepare's entry count is at 32 (after View, Commit, Sent, LogBase),
	// the payload length of its first entry at 32+4+32+1.
	prep := mustBody(t, &message.Prepare{Entries: run(1, 1, 0)})
	req := mustBody(t, &message.Request{})
	chunk := mustBody(t, &message.CheckpointChunk{Size: max64})
	cases := []struct {
		typ    message.Type
		body   []byte
		target error
	}{
		{message.TypePrepare, patch(prep, 8+32, 4, math.MaxUint32), ErrTooLarge},
		{message.TypePrepare, patch(prep, 8+32, 4, 1<<20+1), ErrTooLarge},
		{message.TypePrepare, patch(prep, 8+32, 4, 1<<20), ErrMalformed},
		{message.TypePrepare, patch(prep, 8+32, 4, 2), ErrMalformed},
		{message.TypePrepare, patch(prep, 8+36+41, 4, math.MaxUint32), ErrTooLarge},
		{message.TypePrepare, patch(prep, 8+36+41, 4, 2<<20), ErrMalformed},
		{message.TypeRequest, patch(req, 8+33, 4, math.MaxUint32), ErrTooLarge},
		{message.TypeRequest, patch(req, 8+33, 4, 2<<20+1), ErrTooLarge},
		{message.TypeRequest, patch(req, 8+33, 4, 1), ErrMalformed},
		{message.TypeCheckpointChunk, patch(chunk, 8+37, 4, math.MaxUint32), ErrTooLarge},
		{message.TypeCheckpointChunk, patch(chunk, 8+37, 4, MaxChunk+1), ErrTooLarge},
		{message.TypeCheckpointChunk, patch(chunk, 8+37, 4, MaxChunk), ErrMalformed},
		{message.TypeCheckpointChunk, patch(chunk, 8+37, 4, 1), ErrMalformed},
	}
	for i, c := range cases {
		err := decodeErr(t, c.typ, c.body, Limits{})
		if !isErr(err, c.target) {
			t.Errorf("case %d: %v, want %v", i, err, c.target)
		}
	}
}

// TestChunkLimitMatchesCore keeps the core's bound on checkpoint chunks
// equal to the wire format's, so that no configured chunk fails to encode.
func TestChunkLimitMatchesCore(t *testing.T) {
	if core.MaxCheckpointChunk != MaxChunk {
		t.Fatalf("core.MaxCheckpointChunk %d, wire.MaxChunk %d", core.MaxCheckpointChunk, MaxChunk)
	}
}
