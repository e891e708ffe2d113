package wire

import (
	"math"
	"testing"

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
	prep := mustBody(t, &message.Prepare{Entries: run(1, 1, 0)})
	req := mustBody(t, &message.Request{})
	cases := []struct {
		typ    message.Type
		body   []byte
		target error
	}{
		{message.TypePrepare, patch(prep, 16, 4, math.MaxUint32), ErrTooLarge},
		{message.TypePrepare, patch(prep, 16, 4, 1<<20+1), ErrTooLarge},
		{message.TypePrepare, patch(prep, 16, 4, 1<<20), ErrMalformed},
		{message.TypePrepare, patch(prep, 16, 4, 2), ErrMalformed},
		{message.TypePrepare, patch(prep, 20+33, 4, math.MaxUint32), ErrTooLarge},
		{message.TypePrepare, patch(prep, 20+33, 4, 2<<20), ErrMalformed},
		{message.TypeRequest, patch(req, 25, 4, math.MaxUint32), ErrTooLarge},
		{message.TypeRequest, patch(req, 25, 4, 2<<20+1), ErrTooLarge},
		{message.TypeRequest, patch(req, 25, 4, 1), ErrMalformed},
	}
	for i, c := range cases {
		err := decodeErr(t, c.typ, c.body, Limits{})
		if !isErr(err, c.target) {
			t.Errorf("case %d: %v, want %v", i, err, c.target)
		}
	}
}
