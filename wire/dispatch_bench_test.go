package wire

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// The benchmarks below time the dispatch on the message type, which small
// messages feel most: the Prepare benchmarks are dominated by entry copies.

func BenchmarkCommit(b *testing.B) {
	benchEncodeDecode(b, &message.Commit{View: 7, Commit: 999, Sent: 5})
}

func BenchmarkPrepareOK(b *testing.B) {
	benchEncodeDecode(b, &message.PrepareOK{View: 7, Op: 1000, Replica: 2, Echo: 5})
}

// BenchmarkEverySample encodes and decodes one sample of every type per
// iteration.
func BenchmarkEverySample(b *testing.B) {
	var ms []message.Message
	seen := map[message.Type]bool{}
	for _, s := range samples() {
		if !seen[s.m.Type()] {
			seen[s.m.Type()] = true
			ms = append(ms, s.m)
		}
	}
	buf := make([]byte, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range ms {
			var err error
			if buf, err = AppendMessage(buf[:0], m); err != nil {
				b.Fatal(err)
			}
			if _, err = DecodeMessage(m.Type(), buf, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
