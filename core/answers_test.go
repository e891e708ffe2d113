package core_test

import (
	"strings"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// largeLog commits ops of 100 KiB each on a three-replica cluster, so
// that the primary's RecoveryResponse and a NewState take the bulk lane.
func largeLog(t *testing.T, bugs plant.Bugs, ops int) *cluster {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.Plant(bugs) })
	c.request(0, 1, 1, message.KindRegister, "")
	for k := 2; k <= ops+1; k++ {
		c.request(0, 1, uint64(k), message.KindApp, strings.Repeat("x", 100<<10))
	}
	c.tick(5)
	if i := c.info(0); i.Commit < uint64(ops) {
		t.Fatalf("the ops did not commit: %+v", i)
	}
	return c
}

// sent counts the messages replica from sends that match.
func (c *cluster) countSent(from int, match func(message.Message) bool) *int {
	n := new(int)
	c.onOutput = func(i int, out core.Output) {
		for _, e := range out.Messages {
			if i == from && match(e.Msg) {
				*n++
			}
		}
	}
	return n
}

// repeatedRecovery steps the same Recovery into the primary five times at
// once, then once more after one base view-change timeout (10 ticks), and
// then a Recovery with a new nonce; it returns how many RecoveryResponses
// with the log the primary sent after each of the three.
func repeatedRecovery(t *testing.T, bugs plant.Bugs) (burst, later, fresh int) {
	c := largeLog(t, bugs, 2)
	n := c.countSent(0, func(m message.Message) bool {
		r, ok := m.(*message.RecoveryResponse)
		return ok && len(r.Log) > 0
	})
	ask := func(nonce uint64) {
		c.replicas[0].Step(&message.Recovery{Replica: 2, Nonce: nonce})
		c.collect(0)
	}
	for k := 0; k < 5; k++ {
		ask(7)
	}
	burst = *n
	c.tick(10)
	ask(7)
	later = *n - burst
	ask(8)
	return burst, later, *n - burst - later
}

// A primary answers a burst of the same Recovery (a healed link delivers
// what it held at once) with one copy of its log, answers it again after
// a gap, and answers a new nonce at once; with plant answer-every-repeat
// it sends one copy per request.
func TestRepeatedRecoveryAnsweredOnce(t *testing.T) {
	burst, later, fresh := repeatedRecovery(t, plant.Bugs{})
	if burst != 1 || later != 1 || fresh != 1 {
		t.Fatalf("RecoveryResponses with the log: %d for a burst of 5, %d a gap later, %d for a new nonce; want 1, 1, 1", burst, later, fresh)
	}
	old, _, _ := repeatedRecovery(t, plant.Bugs{AnswerEveryRepeat: true})
	t.Logf("with plant answer-every-repeat: %d copies for a burst of 5", old)
	if old != 5 {
		t.Fatalf("the planted old behaviour sent %d copies for a burst of 5, want 5", old)
	}
}

// overtakenPrepares plays a Commit that reaches backup 2 before the
// Prepares it commits (the Prepares take the bulk lane): the Prepares to
// replica 2 are held, and released after the Commit if release is set
// (they were slow) or never (they were lost). It returns how many GetState
// replica 2 sent and its op-number at the end, with the primary's.
func overtakenPrepares(t *testing.T, bugs plant.Bugs, release bool) (asked int, op, want uint64) {
	c := largeLog(t, bugs, 1)
	n := c.countSent(2, func(m message.Message) bool { _, ok := m.(*message.GetState); return ok })
	c.hold = func(from int, e core.Envelope) bool {
		_, p := e.Msg.(*message.Prepare)
		return p && from == 0 && e.To == 2
	}
	c.request(0, 1, 3, message.KindApp, strings.Repeat("y", 100<<10))
	c.tick(2) // the primary commits with replica 1 and sends a Commit
	if i := c.info(0); i.Commit != i.Op {
		t.Fatalf("the primary did not commit with replica 1: %+v", i)
	}
	if release {
		c.release()
	}
	c.tick(30)
	return *n, c.info(2).Op, c.info(0).Op
}

// A backup that learns of ops it lacks from a Commit asks for them only
// if they do not arrive by themselves: with the Prepares arriving just
// after the Commit it sends no GetState (plant ask-while-arriving: it
// asks at once), and with the Prepares lost it still asks and catches up.
func TestBackupAsksOnlyForWhatDoesNotArrive(t *testing.T) {
	asked, op, want := overtakenPrepares(t, plant.Bugs{}, true)
	if asked != 0 || op != want {
		t.Fatalf("Prepares arriving late: backup sent %d GetState, op %d of %d; want 0 and caught up", asked, op, want)
	}
	asked, op, want = overtakenPrepares(t, plant.Bugs{}, false)
	if asked == 0 || op != want {
		t.Fatalf("Prepares lost: backup sent %d GetState, op %d of %d; want some and caught up", asked, op, want)
	}
	old, _, _ := overtakenPrepares(t, plant.Bugs{AskWhileArriving: true}, true)
	t.Logf("with plant ask-while-arriving: %d GetState while the Prepares arrived", old)
	if old == 0 {
		t.Fatal("the planted old behaviour sent no GetState")
	}
}

// A burst of the same GetState gets one NewState with the log (plant
// answer-every-repeat: one per request); another op is answered at once.
func TestRepeatedGetStateAnsweredOnce(t *testing.T) {
	count := func(bugs plant.Bugs) (burst, other int) {
		c := largeLog(t, bugs, 2)
		n := c.countSent(0, func(m message.Message) bool { _, ok := m.(*message.NewState); return ok })
		ask := func(op uint64) {
			c.replicas[0].Step(&message.GetState{View: 0, Op: op, Replica: 2})
			c.collect(0)
		}
		for k := 0; k < 5; k++ {
			ask(1)
		}
		burst = *n
		ask(0)
		return burst, *n - burst
	}
	if burst, other := count(plant.Bugs{}); burst != 1 || other != 1 {
		t.Fatalf("NewStates: %d for a burst of 5 GetState, %d for another op; want 1 and 1", burst, other)
	}
	if old, _ := count(plant.Bugs{AnswerEveryRepeat: true}); old != 5 {
		t.Fatalf("the planted old behaviour sent %d NewStates for a burst of 5, want 5", old)
	}
}
