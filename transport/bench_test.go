package transport

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// BenchmarkRoundTrip measures one PrepareOK from A to B, sent and
// received before the next one is sent (latency, one frame per batch).
func BenchmarkRoundTrip(b *testing.B) {
	trs, _ := startCluster(b, 2, nil)
	a, dst := trs[0], trs[1]
	m := &message.PrepareOK{View: 1, Op: 1, Replica: 0}
	b.ReportAllocs()
	for b.Loop() {
		if !a.Send(1, m) {
			b.Fatal("send refused")
		}
		<-dst.Receive()
	}
}

// BenchmarkPipelined measures throughput with up to window messages in
// flight, which lets the writer coalesce many frames per Write.
func BenchmarkPipelined(b *testing.B) {
	const window = 512
	trs, _ := startCluster(b, 2, nil)
	a, dst := trs[0], trs[1]
	m := &message.PrepareOK{View: 1, Op: 1, Replica: 0}
	b.ReportAllocs()
	inFlight := 0
	for b.Loop() {
		for inFlight >= window {
			<-dst.Receive()
			inFlight--
		}
		if !a.Send(1, m) {
			b.Fatal("send refused")
		}
		inFlight++
	}
	for ; inFlight > 0; inFlight-- {
		<-dst.Receive()
	}
}
