package wal

import (
	"errors"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

func TestRecordRoundTrip(t *testing.T) {
	for _, e := range []message.Entry{entry(1, 1, 0), entry(2, 3, 1), entry(1<<60, 9, 300)} {
		buf := appendEntry([]byte("prefix"), &e)[6:]
		if int64(len(buf)) != entrySize(&e) {
			t.Fatalf("size %d, want %d", len(buf), entrySize(&e))
		}
		got, n, err := decodeRecord(append(buf, 0xAA, 0xBB))
		if err != nil || n != len(buf) || got.typ != recEntry {
			t.Fatalf("decode: n=%d type=%d err=%v", n, got.typ, err)
		}
		sameEntries(t, []message.Entry{got.entry}, []message.Entry{e})
		for cut := range len(buf) {
			if _, _, err := decodeRecord(buf[:cut]); !errors.Is(err, errIncomplete) {
				t.Fatalf("cut at %d: err %v, want errIncomplete", cut, err)
			}
		}
	}
	// An entry record of the layout before sessions (recEntry) still
	// decodes, as an entry of session 0.
	old := entry(5, 2, 3)
	buf, start := beginRecord(nil, recEntry)
	for _, v := range []uint64{old.Op, old.View, old.ClientID, old.RequestNum} {
		buf = le.AppendUint64(buf, v)
	}
	buf = finishRecord(append(append(buf, byte(old.Kind)), old.Payload...), start)
	got, n, err := decodeRecord(buf)
	old.Session = 0
	if err != nil || n != len(buf) || got.typ != recEntry || storedOp(buf) != 5 || !validRecordAt(buf) {
		t.Fatalf("old entry record: n=%d type=%d err=%v", n, got.typ, err)
	}
	sameEntries(t, []message.Entry{got.entry}, []message.Entry{old})
	hs := core.HardState{View: 7, LastNormalView: 6, PromisedView: 8, Commit: 1 << 40}
	// Past epoch 0 the record also holds the epoch and its configurations.
	he := core.HardState{View: 2, LastNormalView: 2, PromisedView: 2, AnnouncedView: 3, Commit: 90,
		Epoch: 4, EpochOp: 77, EpochOpView: 3, NextID: 9, Members: []message.Member{{ID: 0, Role: 1}, {ID: 5, Role: 1}, {ID: 8, Role: 2}},
		Prev: []message.Member{{ID: 0, Role: 1}, {ID: 1, Role: 1}, {ID: 2, Role: 1}}}
	// With addresses (epoch 1 and later, from a reconfiguration that
	// gave them); he, without, is what records written before addresses
	// existed hold, and still decodes.
	ha := he
	ha.Members = []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 5, Role: 1, Addr: "b:2"}, {ID: 8, Role: 2, Addr: "c:3"}}
	for _, tc := range []struct {
		buf  []byte
		size int
		want record
	}{
		{appendHard(nil, &ha), int(hardRecordSize(&ha)), record{typ: recHard, hard: ha}},
		{appendCut(nil, 42), cutSize, record{typ: recCut, op: 42}},
		{appendHard(nil, &hs), hardSize, record{typ: recHard, hard: hs}},
		{appendHard(nil, &he), int(hardRecordSize(&he)), record{typ: recHard, hard: he}},
		{appendEnd(nil, 1<<50), endSize, record{typ: recEnd, seq: 1 << 50}},
	} {
		got, n, err := decodeRecord(tc.buf)
		if err != nil || n != tc.size || len(tc.buf) != tc.size ||
			got.typ != tc.want.typ || got.op != tc.want.op || !equalHard(got.hard, tc.want.hard) || got.seq != tc.want.seq {
			t.Fatalf("decode %d: %+v n=%d err=%v, want %+v", tc.want.typ, got, n, err, tc.want)
		}
	}
}

func TestRecordDamage(t *testing.T) {
	e := entry(5, 2, 40)
	hs := hardN(3)
	for _, good := range [][]byte{appendEntry(nil, &e), appendCut(nil, 5), appendHard(nil, hs), appendEnd(nil, 9)} {
		for i := range good {
			buf := append([]byte(nil), good...)
			buf[i] ^= 0x01
			if _, _, err := decodeRecord(buf); err == nil {
				t.Fatalf("type %d, flipped byte %d: decoded fine", good[headSize], i)
			}
		}
	}
	short := appendEntry(nil, &e)
	le.PutUint32(short, minLength-1)
	if _, _, err := decodeRecord(short); !errors.Is(err, errBadLength) {
		t.Fatalf("short length: %v", err)
	}
	// A checksum-valid cut record of the wrong size is an unknown shape.
	b, start := beginRecord(nil, recCut)
	b = finishRecord(append(le.AppendUint64(b, 5), 0), start)
	if _, _, err := decodeRecord(b); !errors.Is(err, errBadType) {
		t.Fatalf("long cut record: %v", err)
	}
}
