package transport

import (
	"errors"
	"testing"

	"github.com/vr-go/vr/message"
)

// A replica added by a reconfiguration: replica 0 starts without its
// address, drops what it sends it, learns the address with SetPeer while
// running and then reaches it; the new replica's frames are accepted
// before and after.
func TestSetPeerAddsReplica(t *testing.T) {
	addrs := freeAddrs(t, 2)
	a := startTransport(t, testConfig(t, 0, []string{addrs[0]}))
	b := startTransport(t, testConfig(t, 5, []string{addrs[0], "", "", "", "", addrs[1]}))
	commit := &message.Commit{View: 1, Commit: 2}
	if a.Send(5, commit) {
		t.Fatal("sent to replica 5 before its address was known")
	}
	if !b.Send(0, commit) {
		t.Fatal("replica 5 cannot send to 0")
	}
	if in := receive(t, a); in.From != 5 {
		t.Fatalf("got a message from %d, want 5", in.From)
	}
	if err := a.SetPeer(5, addrs[1]); err != nil {
		t.Fatal(err)
	}
	if a.PeerAddr(5) != addrs[1] {
		t.Fatalf("PeerAddr(5) = %q", a.PeerAddr(5))
	}
	if !a.Send(5, commit) {
		t.Fatal("send to replica 5 refused after SetPeer")
	}
	if in := receive(t, b); in.From != 0 {
		t.Fatalf("got a message from %d, want 0", in.From)
	}
	if err := a.SetPeer(5, "no-port"); !errors.Is(err, ErrConfig) {
		t.Fatalf("SetPeer with a bad address: %v", err)
	}
}
