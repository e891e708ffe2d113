package proxy

import (
	"testing"

	"github.com/vr-go/vr/message"
)

func TestRetryKeepsRequestNumber(t *testing.T) {
	p := registered(t)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	first := onlySend(t, p)
	for i := 0; i < 3; i++ {
		p.Tick()
	}
	if out := p.Output(); len(out.Sends) != 0 {
		t.Fatalf("re-sent before RetryTicks: %+v", out.Sends)
	}
	p.Tick()
	again := onlySend(t, p)
	if again.Req.RequestNum != first.Req.RequestNum || again.To != first.To || string(again.Req.Payload) != "x" {
		t.Fatalf("retry %+v differs from first %+v", again.Req, first.Req)
	}
	if again.Req == first.Req {
		t.Fatal("retry reuses the same *Request value")
	}
}

func TestBroadcastAfterRetries(t *testing.T) {
	p := newProxy(t, 2, 3)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	first := onlySend(t, p)
	// Retries 1 and 2 go to the primary only; retry 3 and later broadcast.
	for retry := 1; retry <= 4; retry++ {
		p.Tick()
		p.Tick()
		out := p.Output()
		want := 1
		if retry >= 3 {
			want = 3
		}
		if len(out.Sends) != want {
			t.Fatalf("retry %d: %d sends, want %d", retry, len(out.Sends), want)
		}
		seen := map[int]bool{}
		for _, s := range out.Sends {
			seen[s.To] = true
			if s.Req.RequestNum != first.Req.RequestNum || s.Req.Kind != first.Req.Kind {
				t.Fatalf("retry %d sent a different request %+v", retry, s.Req)
			}
		}
		if len(seen) != want {
			t.Fatalf("retry %d: duplicate destinations %+v", retry, out.Sends)
		}
	}
}

func TestViewLearning(t *testing.T) {
	p := registered(t)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	req := onlySend(t, p).Req
	// A stale reply (old request number) still teaches the view.
	p.Handle(&message.Reply{View: 4, ClientID: 7, RequestNum: req.RequestNum - 1})
	if p.View() != 4 || p.Primary() != 1 {
		t.Fatalf("view %d primary %d, want 4 and 1", p.View(), p.Primary())
	}
	// Views never go back.
	p.Handle(&message.Reply{View: 2, ClientID: 7, RequestNum: req.RequestNum - 1})
	if p.View() != 4 {
		t.Fatalf("view went back to %d", p.View())
	}
	// Another client's reply is ignored entirely.
	p.Handle(&message.Reply{View: 9, ClientID: 8, RequestNum: req.RequestNum})
	if p.View() != 4 || !p.Busy() {
		t.Fatalf("reply for another client was used: view %d busy %v", p.View(), p.Busy())
	}
	for i := 0; i < 4; i++ {
		p.Tick()
	}
	s := onlySend(t, p)
	if s.To != 1 || s.Req.View != 4 || s.Req.RequestNum != req.RequestNum {
		t.Fatalf("retry after view change: to %d %+v", s.To, s.Req)
	}
}

func TestStaleRepliesIgnored(t *testing.T) {
	p := registered(t)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	req := onlySend(t, p).Req
	p.Handle(&message.Reply{ClientID: 7, RequestNum: req.RequestNum - 1, Result: []byte("old")})
	p.Handle(&message.Reply{ClientID: 7, RequestNum: req.RequestNum + 1, Result: []byte("future")})
	if out := p.Output(); len(out.Done) != 0 || !p.Busy() {
		t.Fatalf("stale reply completed the op: %+v", out.Done)
	}
	p.Handle(reply(req, 0, message.StatusOK, "new"))
	// A duplicate of the answer is ignored once the op completed.
	p.Handle(reply(req, 0, message.StatusOK, "dup"))
	out := p.Output()
	if len(out.Done) != 1 || string(out.Done[0].Result) != "new" {
		t.Fatalf("completions %+v", out.Done)
	}
	p.Tick()
	for i := 0; i < 20; i++ {
		p.Tick()
	}
	if out := p.Output(); len(out.Sends) != 0 {
		t.Fatalf("idle proxy sent %+v", out.Sends)
	}
}

func TestEvictionDropsSession(t *testing.T) {
	p := registered(t)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	req := onlySend(t, p).Req
	p.Handle(reply(req, 0, message.StatusSessionEvicted, ""))
	out := p.Output()
	if len(out.Done) != 1 || out.Done[0].Status != message.StatusSessionEvicted || out.Done[0].RequestNum != req.RequestNum {
		t.Fatalf("eviction completion %+v", out.Done)
	}
	if p.Busy() || p.Registered() {
		t.Fatalf("after eviction busy=%v registered=%v", p.Busy(), p.Registered())
	}
	if err := p.Submit([]byte("y")); err != nil {
		t.Fatal(err)
	}
	reg := onlySend(t, p).Req
	if reg.Kind != message.KindRegister || reg.RequestNum <= req.RequestNum {
		t.Fatalf("re-registration %+v", reg)
	}
	p.Handle(reply(reg, 0, message.StatusOK, session(9)))
	op := onlySend(t, p).Req
	if op.Kind != message.KindApp || string(op.Payload) != "y" || op.RequestNum <= reg.RequestNum ||
		req.Session != 1 || op.Session != 9 {
		t.Fatalf("op after re-registration %+v (evicted one %+v)", op, req)
	}
}

// TestRegistrationWithoutSessionRejected: a Register answered OK without
// a session identity (a replica of another version) completes the
// waiting operation as rejected, unsent.
func TestRegistrationWithoutSessionRejected(t *testing.T) {
	p := newProxy(t, 4, 2)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	reg := onlySend(t, p).Req
	p.Handle(reply(reg, 0, message.StatusOK, ""))
	out := p.Output()
	if len(out.Done) != 1 || out.Done[0].Status != message.StatusRejected || len(out.Sends) != 0 || p.Registered() {
		t.Fatalf("registration without a session: %+v, registered %v", out, p.Registered())
	}
}

func TestRejectedRegistrationCompletesOp(t *testing.T) {
	p := newProxy(t, 4, 2)
	if err := p.Submit([]byte("x")); err != nil {
		t.Fatal(err)
	}
	reg := onlySend(t, p).Req
	p.Handle(reply(reg, 0, message.StatusRejected, ""))
	out := p.Output()
	if len(out.Done) != 1 || out.Done[0].Status != message.StatusRejected || len(out.Sends) != 0 {
		t.Fatalf("rejected registration: %+v", out)
	}
	if p.Busy() || p.Registered() {
		t.Fatal("state after rejected registration")
	}
}
