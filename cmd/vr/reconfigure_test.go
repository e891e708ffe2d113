package main

import (
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

func TestNextMembers(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"}}
	next, err := nextMembers(cur, memberPlan{adds: []string{"3=d:1", "4=e:1"}, removes: []string{"1"}})
	if err != nil || describeConfig(next) != "0=a:1 2=c:1 3=d:1 4=e:1" {
		t.Fatalf("next %s, %v", describeConfig(next), err)
	}
	for _, bad := range []memberPlan{
		{adds: []string{"1=z:1"}, removes: []string{"1"}},      // a removed id comes back
		{adds: []string{"2=z:1"}},                              // a member already
		{adds: []string{"3=d:1", "3=e:1"}},                     // twice
		{adds: []string{"3=d:1"}, standbys: []string{"4=d:1"}}, // one address twice
		{adds: []string{"3=nope"}},                             // not host:port
		{adds: []string{"300=d:1"}},                            // not an id
		{removes: []string{"7"}},                               // not a member
		{promotes: []string{"1"}},                              // not a standby
		{promotes: []string{"9"}},                              // not a member
	} {
		if _, err := nextMembers(cur, bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
	if !strings.Contains(refusalHint(message.RefuseUnauthorized), "admin-secret-file") {
		t.Error("no hint for a missing credential")
	}
}

func TestStandbyPlans(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"}}
	next, err := nextMembers(cur, memberPlan{standbys: []string{"3=d:1", "4=e:1"}})
	if err != nil || describeConfig(next) != "0=a:1 1=b:1 2=c:1 3=d:1(standby) 4=e:1(standby)" {
		t.Fatalf("standbys: %s, %v", describeConfig(next), err)
	}
	prom, err := nextMembers(next, memberPlan{promotes: []string{"3", "4"}})
	if err != nil || describeConfig(prom) != "0=a:1 1=b:1 2=c:1 3=d:1 4=e:1" {
		t.Fatalf("promoted: %s, %v", describeConfig(prom), err)
	}
	if describeConfig(next) != "0=a:1 1=b:1 2=c:1 3=d:1(standby) 4=e:1(standby)" {
		t.Fatalf("promotion changed its input: %s", describeConfig(next))
	}
	if _, err := nextMembers(next, memberPlan{promotes: []string{"3"}, removes: []string{"3"}}); err == nil {
		t.Error("promoting a removed standby accepted")
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
