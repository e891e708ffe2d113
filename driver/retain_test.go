package driver

import (
	"fmt"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

func entry(op, view uint64, payload string) message.Entry {
	return message.Entry{Op: op, View: view, ClientID: 7, RequestNum: op, Payload: []byte(payload)}
}

func applied(es ...message.Entry) []core.Applied {
	out := make([]core.Applied, len(es))
	for i, e := range es {
		out[i] = core.Applied{Entry: e}
	}
	return out
}

func retainDriver(t *testing.T, limit int, bugs plant.Driver) (*Driver, *sent) {
	t.Helper()
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	net := &sent{}
	cfg := Config{Network: net, Period: time.Millisecond, ViewChangeTicks: 50, RetainLogBytes: limit}
	cfg.Plant(bugs)
	return New(r, cfg), net
}

// ops lists the ops of es.
func ops(es []message.Entry) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf("%d:%s ", e.Op, e.Payload)
	}
	return s
}

// TestRetainedLogKeepsNewestExecuted: the driver keeps the executed entries
// up to its byte bound, newest first, starts again after a gap or a
// restore, and answers GetLog with the entries after the asked op that fit
// the asker's room — none when it does not hold the next one.
func TestRetainedLogKeepsNewestExecuted(t *testing.T) {
	size := entry(1, 0, "aaaa").Size()
	d, net := retainDriver(t, 3*size, plant.Driver{})
	d.retain(&core.Output{Applied: applied(entry(1, 0, "aaaa"), entry(2, 0, "bbbb"), entry(3, 0, "cccc"), entry(4, 0, "dddd"))})
	if first, last, bytes := d.RetainedLog(); first != 2 || last != 4 || bytes != 3*size {
		t.Fatalf("retained %d..%d (%d bytes), want 2..4 (%d bytes)", first, last, bytes, 3*size)
	}
	ask := []struct {
		op, room uint64
		want     string
	}{
		{1, 1 << 20, "2:bbbb 3:cccc 4:dddd "},
		{2, uint64(2*size + 1), "3:cccc 4:dddd "},
		{2, uint64(size), "3:cccc "},
		{0, 1 << 20, ""}, // op 1 left the retained log
		{4, 1 << 20, ""}, // nothing after the newest
	}
	for _, a := range ask {
		d.Step(0, &message.GetLog{Replica: 2, Op: a.op, MaxBytes: a.room})
		c := net.msgs[len(net.msgs)-1].(*message.LogChunk)
		if got := ops(c.Entries); got != a.want || c.From != a.op || net.to[len(net.to)-1] != 2 {
			t.Errorf("GetLog after %d (room %d): to %d from %d entries %q, want %q", a.op, a.room, net.to[len(net.to)-1], c.From, got, a.want)
		}
	}
	d.retain(&core.Output{Applied: []core.Applied{{Entry: message.Entry{Op: 9}, Restored: true}}})
	d.retain(&core.Output{Applied: applied(entry(10, 1, "xxxx"))})
	if first, last, _ := d.RetainedLog(); first != 10 || last != 10 {
		t.Fatalf("after a restore at 9: retained %d..%d, want 10..10", first, last)
	}
	d.retain(&core.Output{Applied: applied(entry(12, 1, "zzzz"))})
	if first, last, _ := d.RetainedLog(); first != 12 || last != 12 {
		t.Fatalf("after a gap: retained %d..%d, want 12..12", first, last)
	}
}

// TestRetainedLogOnlyCommitted: entries appended to the log but replaced by
// a view change before they executed are never served; with the planted
// RetainAppended they are, and the served op 3 is not the committed one.
func TestRetainedLogOnlyCommitted(t *testing.T) {
	for _, bug := range []bool{false, true} {
		d, net := retainDriver(t, 1<<20, plant.Driver{RetainAppended: bug})
		d.retain(&core.Output{Applied: applied(entry(1, 0, "a"), entry(2, 0, "b")),
			Entries: []message.Entry{entry(3, 0, "lost")}, LogDirtyFrom: 3})
		// A view change replaced op 3; the new one executes.
		d.retain(&core.Output{Applied: applied(entry(3, 1, "won")), Entries: []message.Entry{entry(3, 1, "won")}, LogDirtyFrom: 3})
		d.Step(0, &message.GetLog{Replica: 1, Op: 0, MaxBytes: 1 << 20})
		got := ops(net.msgs[len(net.msgs)-1].(*message.LogChunk).Entries)
		if want := "1:a 2:b 3:won "; (got == want) == bug {
			t.Errorf("RetainAppended %v: served %q; the committed log is %q", bug, got, want)
		}
	}
}

// TestRetainedLogOff: without RetainLogBytes the driver keeps nothing and
// answers every GetLog with no entries (the asker then jumps).
func TestRetainedLogOff(t *testing.T) {
	d, net := retainDriver(t, 0, plant.Driver{})
	d.retain(&core.Output{Applied: applied(entry(1, 0, "a"))})
	d.Step(0, &message.GetLog{Replica: 1, Op: 0, MaxBytes: 1 << 20})
	if c := net.msgs[0].(*message.LogChunk); len(c.Entries) != 0 {
		t.Fatalf("served %q with no retained log", ops(c.Entries))
	}
}
