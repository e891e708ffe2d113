package wire

import (
	"bytes"
	"testing"

	"github.com/vr-go/vr/message"
)

// benchPrepare returns a Prepare of n entries with 256-byte payloads.
func benchPrepare(n int) *message.Prepare {
	es := make([]message.Entry, n)
	for i := range es {
		es[i] = message.Entry{Op: 1000 + uint64(i), View: 7, ClientID: 42, RequestNum: uint64(i), Payload: pattern(256, byte(i))}
	}
	return &message.Prepare{View: 7, Commit: 999, Entries: es}
}

// benchEncodeDecode appends m's body to a reused buffer and decodes it.
func benchEncodeDecode(b *testing.B, m message.Message) {
	buf, err := AppendMessage(nil, m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, err = AppendMessage(buf[:0], m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeMessage(m.Type(), buf, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrepare1x256(b *testing.B)  { benchEncodeDecode(b, benchPrepare(1)) }
func BenchmarkPrepare64x256(b *testing.B) { benchEncodeDecode(b, benchPrepare(64)) }

func BenchmarkAppendFrame64x256(b *testing.B) {
	m := benchPrepare(64)
	buf, err := AppendFrame(nil, 1, 0, m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = AppendFrame(buf[:0], 1, 0, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendFrameCommit(b *testing.B) {
	m := &message.Commit{View: 7, Commit: 999}
	buf := make([]byte, 0, 64)
	var err error
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = AppendFrame(buf[:0], 1, 0, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderPrepare1x256 reads frames of a 1-entry Prepare.
func BenchmarkReaderPrepare1x256(b *testing.B) {
	frame, err := AppendFrame(nil, 1, 0, benchPrepare(1))
	if err != nil {
		b.Fatal(err)
	}
	stream := bytes.Repeat(frame, 1024)
	src := bytes.NewReader(stream)
	r := NewReader(src, Limits{})
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1024 == 0 {
			src.Reset(stream)
		}
		if _, _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
