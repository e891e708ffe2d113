package driver

import (
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// heldStorage keeps every write's done until the test calls it.
type heldStorage struct{ dones []func() }

func (s *heldStorage) Persist(out *core.Output, _ core.Status, done func()) error {
	s.dones = append(s.dones, done)
	return nil
}

// TestWritesDurableOutOfOrder: each write's done releases that write's
// messages and no other's, in whatever order the storage calls them (the
// driver reuses the callbacks of writes that are durable), and a done
// called twice is a storage bug.
func TestWritesDurableOutOfOrder(t *testing.T) {
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, nopSM{})
	if err != nil {
		t.Fatal(err)
	}
	net, st := &sent{}, &heldStorage{}
	d := New(r, Config{Network: net, Storage: st, Period: time.Millisecond, ViewChangeTicks: 50})
	prepared := func() (ops []uint64) {
		for _, m := range net.msgs {
			if p, ok := m.(*message.Prepare); ok {
				for _, e := range p.Entries {
					ops = append(ops, e.Op)
				}
			}
		}
		net.msgs, net.to = nil, nil
		return ops
	}
	write := func(client uint64) {
		d.Step(0, &message.Request{ClientID: client, RequestNum: 1, Kind: message.KindRegister})
		d.Flush()
	}
	for _, b := range []uint8{1, 2} { // the backups join: the primary starts
		d.Step(0, &message.PrepareOK{Replica: b})
	}
	d.Flush()
	for _, done := range st.dones {
		done()
	}
	st.dones, net.msgs, net.to = nil, nil, nil
	write(1)
	write(2)
	if len(st.dones) != 2 || len(net.msgs) != 0 {
		t.Fatalf("%d writes, %d messages sent before any is durable; want 2, 0", len(st.dones), len(net.msgs))
	}
	st.dones[1]()
	second := prepared()
	st.dones[0]()
	first := prepared()
	if len(first) == 0 || len(second) == 0 || first[len(first)-1] >= second[0] {
		t.Fatalf("the second write released Prepares of ops %v, the first %v", second, first)
	}
	write(3) // reuses a callback
	if len(st.dones) != 3 {
		t.Fatalf("%d writes, want 3", len(st.dones))
	}
	st.dones[2]()
	if third := prepared(); len(third) == 0 || third[0] <= second[len(second)-1] {
		t.Fatalf("the third write released Prepares of ops %v", third)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a done called twice did not panic")
		}
	}()
	st.dones[0]()
}
