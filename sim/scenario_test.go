package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// truncateScenario scripts the TruncateOnNewView hazard on 3 replicas
// (view 0, primary 0):
//
//  1. From 300ms replica 2 (X) gets no Prepare and no state transfer: it
//     stays a normal backup of view 0, hearing Commits, with a stale log.
//  2. From 500ms replica 1 stops hearing from primary 0 and X's
//     acknowledgements stop reaching 0, so 0 and 1 run a view change to
//     view 1 (primary 1) that X does not see; the StartView to 0 is lost
//     (1→0 carries only StartViewChange and DoViewChange), so 0 stays in view-change status with the full log.
//  3. X hears a Commit of view 1: it learns of the newer view while its
//     state transfer is blocked.
//  4. At 900ms primary 1 crashes and the network heals: 0 and X run the
//     view change to view 2, whose primary is X.
//
// A replica that claims view 1 as its last normal view with its stale log
// makes view 2 drop ops committed in view 0.
func truncateScenario(t *testing.T, bugs plant.Bugs) (Result, error) {
	t.Helper()
	r := newScenarioRun(t, Options{
		Seed: 7, Replicas: 3, Clients: 3, Profile: "none", Bugs: bugs,
		FaultDuration: 1500 * time.Millisecond,
	})
	r.replay = "go test ./sim -run TestScenarioTruncateOnNewView -v"
	r.start()
	const x = 2
	r.runUntil(300_000)
	r.net.drop = func(from, to int, m message.Message) bool {
		switch m.(type) {
		case *message.Prepare, *message.GetState, *message.NewState:
			if to == x || from == x {
				return true
			}
		}
		if r.now < 500_000 {
			return false
		}
		switch m.(type) {
		case *message.StartViewChange, *message.DoViewChange, *message.StartView:
			if to == x {
				return true
			}
		}
		return (from == 0 && to == 1 && isHeartbeat(m)) || (from == x && to == 0) || (from == 1 && to == 0 && !isViewChange(m))
	}
	r.runUntil(900_000)
	xi := r.replicas[x].core.Info()
	t.Logf("at 900ms: X %+v, replica 0 %+v", xi, r.replicas[0].core.Info())
	r.net.drop = nil
	r.crash(r.replicas[1])
	r.runUntil(r.endAt)
	return r.finish()
}

func isViewChange(m message.Message) bool {
	switch m.(type) {
	case *message.StartViewChange, *message.DoViewChange:
		return true
	}
	return false
}

func isHeartbeat(m message.Message) bool {
	switch m.(type) {
	case *message.Prepare, *message.Commit:
		return true
	}
	return false
}

func TestScenarioTruncateOnNewView(t *testing.T) {
	_, err := truncateScenario(t, plant.Bugs{TruncateOnNewView: true})
	var v *Violation
	if !errors.As(err, &v) {
		t.Fatalf("planted TruncateOnNewView not caught: %v", err)
	}
	t.Logf("caught: %v", err)
	res, err := truncateScenario(t, plant.Bugs{})
	if err != nil {
		t.Fatalf("correct core fails the scenario: %v", err)
	}
	if res.ViewChanges < 2 || res.Recoveries < 1 {
		t.Fatalf("scenario did not play out: %+v", res)
	}
}

// testLog adapts t.Log to an io.Writer.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// newScenarioRun makes a scripted run of opts (defaults filled in), logged
// to t when the test is verbose and replayed by the test's name.
func newScenarioRun(t *testing.T, opts Options) *run {
	t.Helper()
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		opts.Log = testLog{t}
	}
	r := newRun(opts)
	r.replay = "go test ./sim -run " + t.Name() + " -v"
	return r
}
