package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/vr-go/vr/node"
)

// moveRows is a 3-member epoch 2 (ids 0, 1 and standby 5) seen by the
// replicas' status endpoints, with member 1 and the standby in the given
// states.
func moveRows(one, five node.Status) []statusRow {
	members := []node.MemberStatus{{ID: 0, Role: "full", Addr: "a:1"}, {ID: 1, Role: "full", Addr: "b:1"},
		{ID: 4, Role: "witness", Addr: "d:1"}, {ID: 5, Role: "standby", Addr: "e:1"}}
	ok := func(id int, role string) node.Status {
		return node.Status{ID: id, Epoch: 2, Status: "normal", HasState: role != "witness", Role: role, Members: members}
	}
	one.ID, five.ID = 1, 5
	return []statusRow{{status: ok(0, "full")}, {status: one}, {status: ok(4, "witness")}, {status: five},
		{err: errors.New("down")}}
}

func TestAssessMove(t *testing.T) {
	started := node.Status{Epoch: 2, Status: "normal", HasState: true, Role: "full"}
	for _, c := range []struct {
		name       string
		one, five  node.Status
		finished   bool
		wantInText string
	}{
		{"all started", started, node.Status{Epoch: 2, Status: "normal", HasState: true, Role: "standby"}, true, "every member started"},
		{"standby fetching", started, node.Status{Epoch: 2, Status: "normal", Role: "standby"}, true, "1 member(s) still catching up"},
		{"f'+1 without member 1", node.Status{Epoch: 1, Status: "normal"}, node.Status{}, true, "still in epoch 1"},
		{"member 1 fetching, the witness and 0 suffice", node.Status{Epoch: 2, Status: "transitioning"}, node.Status{}, true, "transitioning in view"},
		{"a later move commits", node.Status{Epoch: 2, Status: "normal", HasState: true, Transitioning: true}, node.Status{}, false, "is committing"},
	} {
		rep := assessMove(moveRows(c.one, c.five))
		var b strings.Builder
		rep.print(&b)
		if rep.finished() != c.finished || !strings.Contains(b.String(), c.wantInText) {
			t.Errorf("%s: finished %v, want %v; report:\n%s", c.name, rep.finished(), c.finished, b.String())
		}
	}
	// Only member 0 started: 1 of 3 voting members, f'+1 = 2.
	rows := moveRows(node.Status{Epoch: 2, Status: "transitioning"}, node.Status{})
	rows[2] = statusRow{err: errors.New("down")}
	rep := assessMove(rows)
	var b strings.Builder
	rep.print(&b)
	if rep.finished() || !strings.Contains(b.String(), "1 of 3 voting members started epoch 2, 2 needed") {
		t.Errorf("one of three started: finished %v; report:\n%s", rep.finished(), b.String())
	}
	if assessMove(nil).finished() {
		t.Error("no answer counts as finished")
	}
}
