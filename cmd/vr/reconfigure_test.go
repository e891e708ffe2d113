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

// TestWitnessPlans: --add-witness adds witnesses, and a configuration
// with more than f' witnesses is refused before anything is sent.
func TestWitnessPlans(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"}}
	next, err := nextMembers(cur, memberPlan{witnesses: []string{"3=d:1", "4=e:1"}})
	if err != nil || describeConfig(next) != "0=a:1 1=b:1 2=c:1 3=d:1(witness) 4=e:1(witness)" {
		t.Fatalf("two witnesses: %s, %v", describeConfig(next), err)
	}
	back, err := nextMembers(next, memberPlan{removes: []string{"3", "4"}})
	if err != nil || describeConfig(back) != "0=a:1 1=b:1 2=c:1" {
		t.Fatalf("witnesses removed: %s, %v", describeConfig(back), err)
	}
	for _, bad := range []memberPlan{
		{witnesses: []string{"3=d:1", "4=e:1"}, removes: []string{"1", "2"}},                   // 2 of 3
		{witnesses: []string{"3=d:1", "4=e:1", "5=f:1"}, adds: []string{"6=g:1"}},              // 3 of 7... f' = 3: fine
		{witnesses: []string{"3=d:1", "4=e:1", "5=f:1", "6=g:1"}, removes: []string{"0", "1"}}, // 4 of 5
	} {
		_, err := nextMembers(cur, bad)
		ok := len(bad.adds) > 0 // the second is within f'
		if (err == nil) != ok {
			t.Errorf("%+v: err %v", bad, err)
		}
		if err != nil && !strings.Contains(err.Error(), "at most f'") {
			t.Errorf("%+v: %v, want the witness rule named", bad, err)
		}
	}
	if !strings.Contains(refusalHint(message.RefuseTooManyWitnesses), "witnesses") {
		t.Error("no hint for too many witnesses")
	}
}

// TestDemotePlans: --demote makes a full replica a standby (the reverse
// of --promote), and only a full replica.
func TestDemotePlans(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 1, Addr: "c:1"},
		{ID: 3, Role: 3, Addr: "d:1"}, {ID: 4, Role: 2, Addr: "e:1"}}
	next, err := nextMembers(cur, memberPlan{demotes: []string{"0"}, promotes: []string{"3"}})
	if err != nil || describeConfig(next) != "0=a:1(standby) 1=b:1 2=c:1 3=d:1 4=e:1(witness)" {
		t.Fatalf("demote 0, promote 3: %s, %v", describeConfig(next), err)
	}
	for _, bad := range []memberPlan{
		{demotes: []string{"3"}}, // a standby already
		{demotes: []string{"4"}}, // a witness
		{demotes: []string{"9"}}, // not a member
		{demotes: []string{"1"}, removes: []string{"1"}},
	} {
		if _, err := nextMembers(cur, bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
}

// TestMovePlans: --move gives a member a new address and keeps its id and
// role; a move to where another member is, to the same address, or of a
// non-member is refused.
func TestMovePlans(t *testing.T) {
	cur := []message.Member{{ID: 0, Role: 1, Addr: "a:1"}, {ID: 1, Role: 1, Addr: "b:1"}, {ID: 2, Role: 2, Addr: "c:1"}}
	next, err := nextMembers(cur, memberPlan{moves: []string{"2=z:9"}})
	if err != nil || describeConfig(next) != "0=a:1 1=b:1 2=z:9(witness)" || cur[2].Addr != "c:1" {
		t.Fatalf("move 2: %s, %v", describeConfig(next), err)
	}
	for _, bad := range []memberPlan{
		{moves: []string{"2=b:1"}},                         // another member's address
		{moves: []string{"2=c:1"}},                         // where it is
		{moves: []string{"7=z:9"}},                         // not a member
		{moves: []string{"2=nope"}},                        // not host:port
		{moves: []string{"2"}},                             // no address
		{moves: []string{"1=z:9"}, removes: []string{"1"}}, // removed too
	} {
		if _, err := nextMembers(cur, bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
}
