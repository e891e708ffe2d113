package wire

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestMessageSizeMatchesEncoding checks message.Size, which the core uses
// to bound what it sends, against the encoder: for every sample, and for
// every type with a zero message.
func TestMessageSizeMatchesEncoding(t *testing.T) {
	msgs := []message.Message{}
	for _, s := range samples() {
		msgs = append(msgs, s.m)
	}
	for _, m := range msgs {
		body, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if got := message.Size(m); got != len(body) {
			t.Errorf("%T: message.Size %d, encoded %d bytes", m, got, len(body))
		}
		if fixed := message.Size(message.New(m.Type())); fixed > message.MaxFixedSize {
			t.Errorf("%T: fixed fields of %d bytes above MaxFixedSize", m, fixed)
		}
	}
}

// TestCoreMessageLimitUnderFrameLimit checks that the core's default bound
// on a message leaves headroom under the frame limit, and that its bound
// on a request payload is the wire's.
func TestCoreMessageLimitUnderFrameLimit(t *testing.T) {
	d := DefaultLimits()
	if core.DefaultMaxMessageBytes > d.MaxBody/2 {
		t.Errorf("core.DefaultMaxMessageBytes %d above half the body limit %d", core.DefaultMaxMessageBytes, d.MaxBody)
	}
	if core.DefaultMaxRequestBytes != d.MaxPayload {
		t.Errorf("core.DefaultMaxRequestBytes %d, wire MaxPayload %d", core.DefaultMaxRequestBytes, d.MaxPayload)
	}
}
