package core

import (
	"errors"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

// witnessConfig is replica i of 3 members whose member 2 is a witness.
func witnessConfig(t *testing.T, i int) Config {
	t.Helper()
	m, err := NewMembership(3).WithWitnesses(2)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Membership: m, Index: i, HeartbeatTicks: 2, ViewChangeTicks: 10, RetryTicks: 3}
}

func TestMembershipWitnessLimits(t *testing.T) {
	if _, err := NewMembership(3).WithWitnesses(3); !errors.Is(err, ErrBadConfig) {
		t.Errorf("witness index out of range: %v", err)
	}
	if _, err := NewMembership(3).WithWitnesses(1, 1); !errors.Is(err, ErrBadConfig) {
		t.Errorf("witness index twice: %v", err)
	}
	two, _ := NewMembership(3).WithWitnesses(1, 2)
	if err := two.validate(); !errors.Is(err, ErrBadConfig) {
		t.Errorf("2 witnesses of 3 members (f = 1) accepted: %v", err)
	}
	five, _ := NewMembership(5).WithWitnesses(0, 3)
	if err := five.validate(); err != nil {
		t.Errorf("2 witnesses of 5 members refused: %v", err)
	}
}

// TestPrimaryNeverWitness checks the primary function: round robin over
// the full replicas, full[v mod len(full)].
func TestPrimaryNeverWitness(t *testing.T) {
	r, err := New(witnessConfig(t, 0), nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range []int{0, 1, 0, 1, 0, 1} {
		if got := r.primaryOf(uint64(v)); got != want {
			t.Errorf("primary of view %d is %d, want %d", v, got, want)
		}
	}
	m, _ := NewMembership(5).WithWitnesses(1, 3)
	r5, err := New(Config{Membership: m, Index: 0}, nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range []int{0, 2, 4, 0, 2, 4} {
		if got := r5.primaryOf(uint64(v)); got != want {
			t.Errorf("5 members: primary of view %d is %d, want %d", v, got, want)
		}
	}
}

func TestWitnessHoldsNoStateMachine(t *testing.T) {
	if _, err := New(witnessConfig(t, 2), nopMachine{}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("witness with a state machine: %v", err)
	}
	if _, err := New(witnessConfig(t, 1), nil); !errors.Is(err, ErrBadConfig) {
		t.Errorf("full replica without a state machine: %v", err)
	}
	w, err := New(witnessConfig(t, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Info().Role != RoleWitness {
		t.Fatalf("role %v", w.Info().Role)
	}
	for what, f := range map[string]func(){
		"execute":           func() { w.executeEntry(message.Entry{Op: 1}) },
		"take a checkpoint": func() { w.takeCheckpoint(0) },
		"send a Prepare":    func() { w.send(0, &message.Prepare{Entries: []message.Entry{{Op: 1}}}) },
		"reply to a client": func() { w.reply(1, 1, message.StatusOK, nil) },
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "witness 2") {
					t.Errorf("a witness asked to %s: panic %q", what, msg)
				}
			}()
			f()
		}()
	}
}

// TestWitnessFollowsPrimaryBase: a witness drops its log up to the
// primary's log base once the primary's commit covers it, never beyond
// what it holds or what is committed.
func TestWitnessFollowsPrimaryBase(t *testing.T) {
	w, err := New(witnessConfig(t, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	var es []message.Entry
	for op := uint64(1); op <= 6; op++ {
		es = append(es, message.Entry{Op: op, ClientID: 1, RequestNum: op, Payload: []byte("x")})
	}
	w.Step(&message.Prepare{View: 0, Commit: 2, LogBase: 4, Entries: es[:5]})
	if i := w.Info(); i.LogBase != 2 || i.Op != 5 || i.Executed != 0 {
		t.Fatalf("after a Prepare with commit 2 and base 4: %+v, want log base 2 (the commit), op 5", i)
	}
	w.Step(&message.Prepare{View: 0, Commit: 5, LogBase: 4, Entries: es[5:]})
	if i := w.Info(); i.LogBase != 4 || i.Op != 6 || i.Commit != 5 {
		t.Fatalf("after commit 5, base 4: %+v, want log base 4, op 6, commit 5", i)
	}
	if out := w.Output(); out.LogBase != 4 || len(out.Applied) != 0 || out.Checkpoint != nil {
		t.Fatalf("output: base %d, %d applied, checkpoint %v", out.LogBase, len(out.Applied), out.Checkpoint)
	}
	w.Step(&message.Commit{View: 0, Commit: 6, LogBase: 9})
	if i := w.Info(); i.LogBase != 6 {
		t.Fatalf("after a Commit with base 9 beyond its log: log base %d, want 6 (its op)", i.LogBase)
	}
}

// TestStateSourcesSkipWitnesses: state transfer and checkpoint fetches ask
// full replicas only, and a witness answers no GetState.
func TestStateSourcesSkipWitnesses(t *testing.T) {
	r, err := New(witnessConfig(t, 0), nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	for v := uint64(0); v < 4; v++ {
		for a := 0; a < 6; a++ {
			attempt := a
			if to := r.stateSource(v, &attempt); to != 1 {
				t.Errorf("view %d attempt %d asks replica %d, want the other full replica 1", v, a, to)
			}
		}
	}
	w, _ := New(witnessConfig(t, 2), nil)
	w.Step(&message.GetState{View: 0, Op: 0, Replica: 1})
	if out := w.Output(); len(out.Messages) != 0 {
		t.Fatalf("witness answered GetState: %+v", out.Messages)
	}
}
