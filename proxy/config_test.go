package proxy

import (
	"slices"
	"testing"

	"github.com/vr-go/vr/message"
)

// A reply of a later epoch marks the configuration stale; SetConfig then
// addresses the new members by id, the primary of the view among the full
// ones, and broadcasts go to the new members only.
func TestConfigFollowsEpochs(t *testing.T) {
	p := registered(t)
	if err := p.Submit([]byte("op")); err != nil {
		t.Fatal(err)
	}
	req := onlySend(t, p).Req
	later := reply(req, 3, message.StatusOK, "r")
	later.Epoch = 1
	p.Handle(later)
	if !p.ConfigStale() || p.Epoch() != 1 {
		t.Fatalf("stale %v epoch %d after a reply of epoch 1", p.ConfigStale(), p.Epoch())
	}
	members := []message.Member{{ID: 2, Role: 1}, {ID: 5, Role: 2}, {ID: 9, Role: 1}}
	if err := p.SetConfig(1, 1, members); err != nil {
		t.Fatal(err)
	}
	if p.ConfigStale() || p.Primary() != 9 || !slices.Equal(p.Members(), []int{2, 5, 9}) {
		t.Fatalf("stale %v primary %d members %v", p.ConfigStale(), p.Primary(), p.Members())
	}
	// An older configuration changes nothing.
	if err := p.SetConfig(0, 7, []message.Member{{ID: 0, Role: 1}}); err != nil || p.Primary() != 9 {
		t.Fatalf("old configuration: %v, primary %d", err, p.Primary())
	}
	if err := p.Submit([]byte("op2")); err != nil {
		t.Fatal(err)
	}
	if s := onlySend(t, p); s.To != 9 {
		t.Fatalf("sent to %d, want the primary 9", s.To)
	}
	var to []int
	for range 3 * p.cfg.RetryTicks {
		p.Tick()
		for _, s := range p.Output().Sends {
			to = append(to, s.To)
		}
	}
	slices.Sort(to)
	if !slices.Equal(slices.Compact(to), []int{2, 5, 9}) {
		t.Fatalf("retries went to %v, want the members 2, 5, 9", to)
	}
}

// SubmitAdmin seals the RECONFIGURATION with its own request number.
func TestSubmitAdminSeals(t *testing.T) {
	p := registered(t)
	var sealedNum uint64
	err := p.SubmitAdmin([]byte("cfg"), func(n uint64, b []byte) []byte { sealedNum = n; return append(b, '!') })
	if err != nil {
		t.Fatal(err)
	}
	req := onlySend(t, p).Req
	if req.Kind != message.KindReconfigure || string(req.Payload) != "cfg!" || req.RequestNum != sealedNum {
		t.Fatalf("request %+v, sealed for %d", req, sealedNum)
	}
}
