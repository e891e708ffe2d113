package main

import (
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

func TestNextMembers(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"}}
	next, err := nextMembers(cur, []string{"3=d:1", "4=e:1"}, []string{"1"})
	if err != nil || describeConfig(next) != "0=a:1 2=c:1 3=d:1 4=e:1" {
		t.Fatalf("next %s, %v", describeConfig(next), err)
	}
	for _, bad := range []struct{ adds, removes []string }{
		{[]string{"1=z:1"}, []string{"1"}}, // a removed id comes back
		{[]string{"2=z:1"}, nil},           // a member already
		{[]string{"3=d:1", "3=e:1"}, nil},  // twice
		{[]string{"3=nope"}, nil},          // not host:port
		{[]string{"300=d:1"}, nil},         // not an id
		{nil, []string{"7"}},               // not a member
	} {
		if _, err := nextMembers(cur, bad.adds, bad.removes); err == nil {
			t.Errorf("add %v remove %v: accepted", bad.adds, bad.removes)
		}
	}
	if !strings.Contains(refusalHint(message.RefuseUnauthorized), "admin-secret-file") {
		t.Error("no hint for a missing credential")
	}
}

func TestJoinPeers(t *testing.T) {
	peers, err := joinPeers("a:1,b:1,c:1", 5, "e:1")
	if err != nil || len(peers) != 6 || peers[0] != "a:1" || peers[2] != "c:1" || peers[5] != "e:1" || peers[3] != "" {
		t.Fatalf("positional: %q %v", peers, err)
	}
	peers, err = joinPeers("3=d:1, 7=g:1", 5, "e:1")
	if err != nil || len(peers) != 8 || peers[3] != "d:1" || peers[7] != "g:1" || peers[0] != "" {
		t.Fatalf("by id: %q %v", peers, err)
	}
	for _, bad := range []struct {
		list, listen string
		id           int
	}{
		{"a:1", "e:1", -1},  // no id
		{"a:1", "", 5},      // no listen address
		{"", "e:1", 5},      // no member
		{"5=a:1", "e:1", 5}, // its own id
		{"x=a:1", "e:1", 5}, // not an id
		{"nope", "e:1", 5},  // not host:port
	} {
		if _, err := joinPeers(bad.list, bad.id, bad.listen); err == nil {
			t.Errorf("joinPeers(%q, %d, %q) accepted", bad.list, bad.id, bad.listen)
		}
	}
}
