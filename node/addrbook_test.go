package node

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// TestBookFollowsMovedMember: a StartEpoch names a moved member at its new
// address in Members and at its old one in Prev; the book keeps the new
// one (learning Prev too made peers dial the moved member at either
// address in turn: e2e TestJoinerRoles), learns the address of a member
// that leaves from Prev, and a StartEpoch of an older epoch changes
// nothing.
func TestBookFollowsMovedMember(t *testing.T) {
	n, err := New(Config{Index: 0, Peers: []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := func(id uint8, addr string) message.Member { return message.Member{ID: id, Role: 1, Addr: addr} }
	n.learnFrom(&message.StartEpoch{Epoch: 1, Replica: 1,
		Members: []message.Member{m(0, "127.0.0.1:1"), m(1, "127.0.0.1:2"), m(2, "127.0.0.1:9")},
		Prev:    []message.Member{m(0, "127.0.0.1:1"), m(1, "127.0.0.1:2"), m(2, "127.0.0.1:3"), m(4, "127.0.0.1:5")}})
	if n.book[2] != "127.0.0.1:9" || n.book[4] != "127.0.0.1:5" {
		t.Fatalf("book %v: want member 2 at its new address 127.0.0.1:9 and the leaving 4 at 127.0.0.1:5", n.book)
	}
	n.last.Epoch = 1
	n.learnFrom(&message.StartEpoch{Epoch: 0, Replica: 1, Members: []message.Member{m(2, "127.0.0.1:3")}})
	if n.book[2] != "127.0.0.1:9" {
		t.Fatalf("an older epoch's StartEpoch moved member 2 back to %s", n.book[2])
	}
}
