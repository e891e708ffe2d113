package node

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

// TestLogMessageEveryType checks that every message type logs under its
// name with at least one field of its own besides direction and peer.
func TestLogMessageEveryType(t *testing.T) {
	for _, typ := range message.Types() {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		logMessage(log, "recv", 2, message.New(typ))
		line := buf.String()
		if !strings.Contains(line, "msg="+typ.String()+" dir=recv peer=2 ") {
			t.Errorf("%v logged %q", typ, line)
		}
	}
}

// TestLogMessageNil checks that a nil message logs nothing rather than
// panicking.
func TestLogMessageNil(t *testing.T) {
	var buf bytes.Buffer
	logMessage(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), "send", 1, nil)
	if buf.Len() != 0 {
		t.Fatalf("logged %q", buf.String())
	}
}
