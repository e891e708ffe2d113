package wire

import (
	"bytes"
	"encoding/hex"
	"hash/crc32"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

func TestRoundTripBodies(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			body := mustBody(t, s.m)
			got, err := DecodeMessage(s.m.Type(), body, DefaultLimits())
			if err != nil {
				t.Fatalf("DecodeMessage: %v", err)
			}
			if !reflect.DeepEqual(got, s.m) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, s.m)
			}
			again := mustBody(t, got)
			if !bytes.Equal(again, body) {
				t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, body)
			}
		})
	}
}

// Every type package message defines has a sample, so the table-driven
// tests and the seed corpus cover it.
func TestSamplesCoverEveryType(t *testing.T) {
	have := map[message.Type]bool{}
	for _, s := range samples() {
		have[s.m.Type()] = true
	}
	for typ := message.Type(0); typ < 255; typ++ {
		if typ.Valid() && !have[typ] {
			t.Errorf("no sample of %v", typ)
		}
	}
}

func TestRoundTripFrames(t *testing.T) {
	var stream []byte
	ss := samples()
	for i, s := range ss {
		stream = append(stream, mustFrame(t, 0xABCDEF+uint64(i), uint8(i), s.m)...)
	}
	r := NewReader(bytes.NewReader(stream), Limits{})
	for i, s := range ss {
		h, m, err := r.Next()
		if err != nil {
			t.Fatalf("frame %d (%s): %v", i, s.name, err)
		}
		if h.Cluster != 0xABCDEF+uint64(i) || h.Sender != uint8(i) || h.Type != s.m.Type() || h.Version != Version {
			t.Fatalf("frame %d: header %+v", i, h)
		}
		if !reflect.DeepEqual(m, s.m) {
			t.Fatalf("frame %d:\n got %+v\nwant %+v", i, m, s.m)
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("after last frame: %v, want io.EOF", err)
	}
}

// Empty but non-nil slices decode as nil; normalize makes them compare equal.
func TestEmptySlicesDecodeAsNil(t *testing.T) {
	in := []message.Message{
		&message.Request{Payload: []byte{}},
		&message.Reply{Result: []byte{}},
		&message.Prepare{Entries: []message.Entry{{Op: 1, Payload: []byte{}}}},
		&message.DoViewChange{Log: []message.Entry{}},
		&message.StartView{Log: []message.Entry{}},
		&message.RecoveryResponse{Log: []message.Entry{}},
		&message.NewState{Entries: []message.Entry{}},
		&message.CheckpointChunk{Size: 1, Offset: 1, Data: []byte{}},
	}
	for _, m := range in {
		got, err := DecodeMessage(m.Type(), mustBody(t, m), Limits{})
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if reflect.DeepEqual(got, m) {
			t.Fatalf("%T: decoded copy kept an empty non-nil slice", m)
		}
		if !reflect.DeepEqual(got, normalize(m)) {
			t.Fatalf("%T: got %+v, want %+v", m, got, m)
		}
	}
}

func TestBodyLayout(t *testing.T) {
	cases := []struct {
		m    message.Message
		want string // hex, spaces ignored
	}{
		{&message.Commit{View: 3, Commit: 0x0102, Sent: 0x0A0B, LogBase: 0x0C}, "0000000000000000 0300000000000000 0201000000000000 0b0a000000000000 0c00000000000000"},
		{&message.PrepareOK{View: 3, Op: 0x0102, Replica: 4, Echo: 0x0A0B, Saved: 0x0D},
			"0000000000000000 0300000000000000 0201000000000000 04 0b0a000000000000 0d00000000000000"},
		{&message.Request{ClientID: 42, RequestNum: 7, Kind: message.KindRegister, View: 3, Payload: []byte("hi")},
			"0000000000000000 2a00000000000000 0700000000000000 0000000000000000 01 0300000000000000 02000000 6869"},
		{&message.Request{ClientID: 42, RequestNum: 8, Session: 0x0506, Kind: message.KindApp, View: 3},
			"0000000000000000 2a00000000000000 0800000000000000 0605000000000000 00 0300000000000000 00000000"},
		{&message.Reply{View: 1, ClientID: 2, RequestNum: 3, Replica: 4, Status: message.StatusRejected},
			"0000000000000000 0100000000000000 0200000000000000 0300000000000000 04 02 00000000"},
		{&message.Request{ClientID: 1, RequestNum: 2, Kind: message.KindRead, View: 3},
			"0000000000000000 0100000000000000 0200000000000000 0000000000000000 02 0300000000000000 00000000"},
		{&message.Request{ClientID: 1, RequestNum: 2, Kind: message.KindStaleRead, View: 3},
			"0000000000000000 0100000000000000 0200000000000000 0000000000000000 03 0300000000000000 00000000"},
		{&message.Prepare{View: 1, Commit: 2, Sent: 0x0A0B, LogBase: 0x0D, Entries: []message.Entry{{Op: 3, View: 4, ClientID: 5, RequestNum: 6, Session: 7, Kind: 1, Payload: []byte{0xAA}}}},
			"0000000000000000 0100000000000000 0200000000000000 0b0a000000000000 0d00000000000000 01000000 0300000000000000 0400000000000000 0500000000000000 0600000000000000 0700000000000000 01 01000000 aa"},
		{&message.Recovery{Replica: 9, Nonce: 1}, "0000000000000000 09 0100000000000000 00"},
		{&message.Recovery{Replica: 9, Nonce: 1, NewCluster: true}, "0000000000000000 09 0100000000000000 01"},
		{&message.GetCheckpoint{Replica: 2, MinOp: 3, MaxOp: 0x0405, Op: 6, Offset: 0x0708, After: 9},
			"0000000000000000 02 0300000000000000 0504000000000000 0600000000000000 0807000000000000 0900000000000000"},
		{&message.StartEpoch{Epoch: 2, Replica: 1, Op: 3, OpView: 4, NextID: 0x0105, Members: []message.Member{{ID: 1, Role: 1}, {ID: 4, Role: 2}}},
			"0200000000000000 01 0300000000000000 0400000000000000 0501 02 0101 0402 00 00"},
		{&message.StartEpoch{Epoch: 2, Replica: 1, Op: 3, OpView: 4, NextID: 0x0105, Members: []message.Member{{ID: 1, Role: 1, Addr: "a:1"}, {ID: 4, Role: 2}},
			Prev: []message.Member{{ID: 1, Role: 1, Addr: "b"}}},
			"0200000000000000 01 0300000000000000 0400000000000000 0501 02 0101 0402 01 0101 01 03 613a31 00 01 62"},
		{&message.EpochStarted{Epoch: 2, Replica: 7}, "0200000000000000 07"},
		{&message.CheckpointChunk{Replica: 1, Op: 2, Size: 5, Offset: 3, After: 4, Checksum: 0x0A0B0C0D, Data: []byte{0xAA, 0xBB}},
			"0000000000000000 01 0200000000000000 0500000000000000 0300000000000000 0400000000000000 0d0c0b0a 02000000 aabb"},
	}
	for _, c := range cases {
		want, err := hex.DecodeString(strings.ReplaceAll(c.want, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		if got := mustBody(t, c.m); !bytes.Equal(got, want) {
			t.Errorf("%T:\n got %x\nwant %x", c.m, got, want)
		}
	}
}

func TestFrameLayout(t *testing.T) {
	f := mustFrame(t, 0x0102030405060708, 7, &message.Commit{View: 3, Commit: 12, Sent: 40})
	want, _ := hex.DecodeString("56527766" + "04" + "05" + "07" + "00" + "0807060504030201" + "28000000")
	if len(f) != HeaderSize+40 || !bytes.Equal(f[:20], want) || string(f[:4]) != "VRwf" {
		t.Fatalf("header %x, want %x then checksum", f[:min(len(f), HeaderSize)], want)
	}
	crc := crc32.Checksum(append(append([]byte(nil), f[:20]...), f[HeaderSize:]...), crc32.MakeTable(crc32.Castagnoli))
	if got := le.Uint32(f[20:]); got != crc {
		t.Fatalf("checksum %#x, want %#x", got, crc)
	}
}

// The standard CRC-32C check value pins the polynomial.
func TestChecksumIsCastagnoli(t *testing.T) {
	if got := crc32.Update(0, castagnoli, []byte("123456789")); got != 0xE3069283 {
		t.Fatalf("CRC-32C check value %#x, want 0xe3069283", got)
	}
}

func TestDecodedMessagesDoNotAliasInput(t *testing.T) {
	m := &message.Prepare{View: 1, Entries: run(5, 3, 4)}
	body := mustBody(t, m)
	got, err := DecodeMessage(message.TypePrepare, body, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] ^= 0xFF
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatal("decoded message changed when the input was overwritten")
	}
	es := got.(*message.Prepare).Entries
	_ = append(es[0].Payload, 0xEE, 0xEE, 0xEE, 0xEE)
	if !bytes.Equal(es[1].Payload, m.Entries[1].Payload) {
		t.Fatal("appending to one payload overwrote the next")
	}
}
