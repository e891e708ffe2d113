package proxy

import (
	"bytes"
	"errors"
	"testing"

	"github.com/vr-go/vr/message"
)

func newProxy(t *testing.T, retry, bcast int) *Proxy {
	t.Helper()
	p, err := New(Config{ReplicaCount: 3, ClientID: 7, RetryTicks: retry, BroadcastAfter: bcast})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// onlySend drains p and returns its single send, failing otherwise.
func onlySend(t *testing.T, p *Proxy) Send {
	t.Helper()
	out := p.Output()
	if len(out.Sends) != 1 {
		t.Fatalf("want 1 send, got %d: %+v", len(out.Sends), out.Sends)
	}
	return out.Sends[0]
}

func reply(req *message.Request, view uint64, status message.ReplyStatus, result string) *message.Reply {
	return &message.Reply{View: view, ClientID: req.ClientID, RequestNum: req.RequestNum, Status: status, Result: []byte(result)}
}

// session is the result of a Register that opened session id.
func session(id uint64) string { return string(message.EncodeSession(id)) }

// registered returns a proxy whose session is open and nothing in flight.
func registered(t *testing.T) *Proxy {
	t.Helper()
	p := newProxy(t, 4, 2)
	if err := p.Submit([]byte("first")); err != nil {
		t.Fatal(err)
	}
	reg := onlySend(t, p)
	p.Handle(reply(reg.Req, 0, message.StatusOK, session(1)))
	op := onlySend(t, p)
	p.Handle(reply(op.Req, 0, message.StatusOK, "r"))
	if out := p.Output(); len(out.Done) != 1 || p.Busy() || !p.Registered() {
		t.Fatalf("setup: done=%+v busy=%v registered=%v", out.Done, p.Busy(), p.Registered())
	}
	return p
}

func TestConfigValidation(t *testing.T) {
	bad := []Config{
		{ReplicaCount: 0, ClientID: 1},
		{ReplicaCount: 4, ClientID: 1},
		{ReplicaCount: 3, ClientID: 0},
		{ReplicaCount: 3, ClientID: 1, RetryTicks: -1},
		{ReplicaCount: 3, ClientID: 1, BroadcastAfter: -2},
	}
	for _, c := range bad {
		if _, err := New(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("New(%+v) = %v, want ErrBadConfig", c, err)
		}
	}
	p, err := New(Config{ReplicaCount: 5, ClientID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.cfg.RetryTicks != DefaultRetryTicks || p.cfg.BroadcastAfter != DefaultBroadcastAfter {
		t.Errorf("defaults not applied: %+v", p.cfg)
	}
}

func TestRegisterThenOp(t *testing.T) {
	p := newProxy(t, 4, 2)
	if err := p.Submit([]byte("put")); err != nil {
		t.Fatal(err)
	}
	reg := onlySend(t, p)
	if reg.To != 0 || reg.Req.Kind != message.KindRegister || len(reg.Req.Payload) != 0 || reg.Req.ClientID != 7 {
		t.Fatalf("first send is not a register to the primary: %+v %+v", reg, reg.Req)
	}
	if err := p.Submit([]byte("other")); !errors.Is(err, ErrBusy) {
		t.Fatalf("Submit while registering = %v, want ErrBusy", err)
	}
	p.Handle(reply(reg.Req, 0, message.StatusOK, session(3)))
	out := p.Output()
	if len(out.Done) != 0 {
		t.Fatalf("registration must not complete the op: %+v", out.Done)
	}
	if len(out.Sends) != 1 {
		t.Fatalf("want the op sent after register, got %+v", out.Sends)
	}
	op := out.Sends[0].Req
	if op.Kind != message.KindApp || string(op.Payload) != "put" || op.RequestNum <= reg.Req.RequestNum ||
		op.Session != 3 || p.Session() != 3 || reg.Req.Session != 0 {
		t.Fatalf("bad op request %+v after register %+v", op, reg.Req)
	}
	p.Handle(reply(op, 0, message.StatusOK, "ok"))
	out = p.Output()
	if len(out.Done) != 1 || out.Done[0].RequestNum != op.RequestNum || string(out.Done[0].Result) != "ok" || out.Done[0].Status != message.StatusOK {
		t.Fatalf("bad completion %+v", out.Done)
	}
	if p.Busy() {
		t.Fatal("busy after completion")
	}
	// The next op goes straight out, with a larger request number.
	if err := p.Submit([]byte("get")); err != nil {
		t.Fatal(err)
	}
	next := onlySend(t, p)
	if next.Req.Kind != message.KindApp || next.Req.RequestNum <= op.RequestNum {
		t.Fatalf("second op %+v", next.Req)
	}
}

func TestSubmitCopiesPayload(t *testing.T) {
	p := registered(t)
	buf := []byte("abc")
	if err := p.Submit(buf); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X'
	s := onlySend(t, p)
	if !bytes.Equal(s.Req.Payload, []byte("abc")) {
		t.Fatalf("payload aliased caller buffer: %q", s.Req.Payload)
	}
}

func TestLearnViewOnlyRaises(t *testing.T) {
	p, err := New(Config{ReplicaCount: 3, ClientID: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.LearnView(4)
	p.LearnView(2)
	if p.View() != 4 || p.Primary() != 1 {
		t.Fatalf("view %d primary %d, want 4 and 1", p.View(), p.Primary())
	}
}

// TestPrimarySkipsWitnesses: with witnesses the primary of view v is the
// (v mod k)-th of the k full replicas, as the core chooses it.
func TestPrimarySkipsWitnesses(t *testing.T) {
	p, err := New(Config{ReplicaCount: 5, ClientID: 1, Witnesses: []int{1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range []int{0, 2, 4, 0, 2, 4} {
		p.LearnView(uint64(v))
		if p.Primary() != want {
			t.Fatalf("view %d: primary %d, want %d", v, p.Primary(), want)
		}
	}
	if _, err := New(Config{ReplicaCount: 3, ClientID: 1, Witnesses: []int{1, 2}}); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("2 witnesses of 3 replicas accepted: %v", err)
	}
}
