package core_test

import (
	"errors"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

func register(c *cluster, to int, client uint64) {
	c.request(to, client, 1, message.KindRegister, "")
}

func TestNormalOperationCommitsAndReplies(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	rep := c.lastReply(7)
	if rep == nil || rep.RequestNum != 2 || rep.Status != message.StatusOK {
		t.Fatalf("reply = %+v", rep)
	}
	c.tick(3) // heartbeat carries the commit-number to backups
	for i := 0; i < 3; i++ {
		if got := c.info(i); got.Commit != 2 || got.Executed != 2 {
			t.Fatalf("replica %d: %+v", i, got)
		}
		if len(c.sms[i].ops) != 1 || string(c.sms[i].ops[0]) != "a" {
			t.Fatalf("replica %d applied %q", i, c.sms[i].ops)
		}
	}
}

func TestDuplicateRequestGetsCachedReplyAndRunsOnce(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	first := c.lastReply(7)
	c.replies = nil
	c.request(0, 7, 2, message.KindApp, "a")
	again := c.lastReply(7)
	if again == nil || string(again.Result) != string(first.Result) {
		t.Fatalf("duplicate reply = %+v, want %+v", again, first)
	}
	if n := len(c.sms[0].ops); n != 1 {
		t.Fatalf("executed %d times", n)
	}
	c.replies = nil
	c.request(0, 7, 1, message.KindApp, "old")
	if r := c.lastReply(7); r != nil {
		t.Fatalf("older request answered: %+v", r)
	}
}

func TestEvictedSessionGetsClearError(t *testing.T) {
	c := newCluster(t, 3) // MaxSessions = 4
	for client := uint64(1); client <= 5; client++ {
		register(c, 0, client)
	}
	c.request(0, 1, 2, message.KindApp, "x")
	if r := c.lastReply(1); r == nil || r.Status != message.StatusSessionEvicted {
		t.Fatalf("reply for evicted client = %+v", r)
	}
	for _, sm := range c.sms {
		if len(sm.ops) != 0 {
			t.Fatalf("evicted client's op executed: %q", sm.ops)
		}
	}
	c.request(0, 5, 2, message.KindApp, "y")
	if r := c.lastReply(5); r == nil || r.Status != message.StatusOK {
		t.Fatalf("live client = %+v", r)
	}
}

func TestViewChangeRoundRobinKeepsCommittedOps(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	c.down[0] = true
	c.tick(40)
	for i := 1; i < 3; i++ {
		got := c.info(i)
		if got.View != 1 || got.Status != core.StatusNormal || got.Primary != 1 {
			t.Fatalf("replica %d after view change: %+v", i, got)
		}
		if e, ok := c.replicas[i].Entry(2); !ok || string(e.Payload) != "a" {
			t.Fatalf("replica %d lost committed op: %+v %v", i, e, ok)
		}
	}
	c.request(1, 7, 3, message.KindApp, "b")
	if r := c.lastReply(7); r == nil || r.RequestNum != 3 || r.View != 1 {
		t.Fatalf("new primary reply = %+v", r)
	}
}

func TestRecoveryRestoresLostReplica(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	c.start(2, true) // replica 2 lost its state
	if got := c.info(2); got.Status != core.StatusRecovering {
		t.Fatalf("status = %v", got.Status)
	}
	c.deliver()
	c.tick(5)
	got := c.info(2)
	if got.Status != core.StatusNormal || got.Executed != 2 {
		t.Fatalf("after recovery: %+v", got)
	}
	if c.sms[2].digest() != c.sms[0].digest() {
		t.Fatal("recovered state differs")
	}
}

func TestLaggingBackupCatchesUpByStateTransfer(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.isolate(2)
	for i := uint64(2); i < 6; i++ {
		c.request(0, 7, i, message.KindApp, "op")
	}
	c.heal()
	c.tick(10)
	if got := c.info(2); got.Op != c.info(0).Op || got.Executed != c.info(0).Commit {
		t.Fatalf("lagging replica: %+v, primary %+v", got, c.info(0))
	}
}

func TestIsolatedReplicaDoesNotDisruptHealthyCluster(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.isolate(2)
	c.tick(200)
	if v := c.info(2).View; v > 1 {
		t.Fatalf("isolated replica raised its view to %d", v)
	}
	c.heal()
	c.tick(30)
	for i := 0; i < 3; i++ {
		if got := c.info(i); got.View != 0 || got.Status != core.StatusNormal {
			t.Fatalf("replica %d after the isolated one returned: %+v", i, got)
		}
	}
}

func TestBadConfigRejected(t *testing.T) {
	for _, cfg := range []core.Config{
		{ReplicaCount: 2},
		{ReplicaCount: 3, Index: 3},
		{ReplicaCount: 3, Index: -1},
		{ReplicaCount: 3, HeartbeatTicks: 5, ViewChangeTicks: 5},
	} {
		if _, err := core.New(cfg, &counter{}); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestNewClusterStartsOnlyWhenEveryReplicaIsNew(t *testing.T) {
	c := newCluster(t, 3)
	for i := range c.replicas {
		c.sms[i] = &counter{}
		r, err := core.New(core.Config{ReplicaCount: 3, Index: i, Seed: 1, NewCluster: true, HeartbeatTicks: 2, ViewChangeTicks: 10, RetryTicks: 3}, c.sms[i])
		if err != nil {
			t.Fatal(err)
		}
		c.replicas[i] = r
	}
	c.queue = nil
	for i := range c.replicas {
		c.collect(i)
	}
	c.deliver()
	for i := range c.replicas {
		if got := c.info(i); got.Status != core.StatusNormal || got.View != 0 {
			t.Fatalf("replica %d: %+v", i, got)
		}
	}
	c.tick(3) // a heartbeat: the primary hears every replica and serves
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	if rep := c.lastReply(7); rep == nil || rep.RequestNum != 2 {
		t.Fatalf("new cluster did not serve: %+v", rep)
	}
	// Replica 0 (the primary of view 0) is restarted with NewCluster by
	// mistake: it must recover, not start an empty view 0 of its own.
	c.sms[0] = &counter{}
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0, Seed: 2, NewCluster: true, HeartbeatTicks: 2, ViewChangeTicks: 10, RetryTicks: 3}, c.sms[0])
	if err != nil {
		t.Fatal(err)
	}
	c.replicas[0] = r
	c.collect(0)
	c.deliver()
	c.tick(60)
	got := c.info(0)
	if got.Status != core.StatusNormal || got.Executed < 2 || got.View == 0 {
		t.Fatalf("restarted replica 0: %+v", got)
	}
	if e, ok := c.replicas[0].Entry(2); !ok || string(e.Payload) != "a" {
		t.Fatalf("restarted replica 0 lost op 2: %+v", e)
	}
}

func TestRequestsSteppedTogetherLeaveInOnePrepare(t *testing.T) {
	sm := &counter{}
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0}, sm)
	if err != nil {
		t.Fatal(err)
	}
	r.Output()
	joinBackups(r, 3)
	for c := uint64(1); c <= 5; c++ {
		r.Step(&message.Request{ClientID: c, RequestNum: 1, Kind: message.KindRegister})
	}
	out := r.Output()
	prepares := 0
	for _, env := range out.Messages {
		if p, ok := env.Msg.(*message.Prepare); ok {
			prepares++
			if len(p.Entries) != 5 || p.Entries[0].Op != 1 || p.Entries[4].Op != 5 {
				t.Fatalf("prepare to %d: %+v", env.To, p.Entries)
			}
		}
	}
	if prepares != 2 {
		t.Fatalf("%d prepares, want one per backup", prepares)
	}
}

// disk keeps what durable mode would have made durable from each Output.
type disk struct {
	hard core.HardState
	log  []message.Entry
}

func (d *disk) persist(out core.Output) {
	if out.LogDirtyFrom > 0 {
		d.log = append(d.log[:out.LogDirtyFrom-1:out.LogDirtyFrom-1], out.Entries...)
	}
	d.hard = out.HardState
}

func TestRestartFromDiskRejoinsWithoutRecovery(t *testing.T) {
	c := newCluster(t, 3)
	disks := make([]*disk, 3)
	for i := range disks {
		disks[i] = &disk{}
	}
	// Route every Output through the disks first.
	c.onOutput = func(i int, out core.Output) { disks[i].persist(out) }
	register(c, 0, 7)
	for i := uint64(2); i < 6; i++ {
		c.request(0, 7, i, message.KindApp, "op")
	}
	c.tick(3)
	// The whole cluster crashes at once and restarts from disk.
	for i := range c.replicas {
		c.sms[i] = &counter{}
		d := &core.Durable{HardState: disks[i].hard, Log: disks[i].log}
		r, err := core.New(core.Config{ReplicaCount: 3, Index: i, Seed: 9, Restart: d}, c.sms[i])
		if err != nil {
			t.Fatal(err)
		}
		c.replicas[i] = r
		if got := r.Info(); got.Status != core.StatusNormal || got.Op != 5 {
			t.Fatalf("replica %d restarted as %+v", i, got)
		}
	}
	c.queue = nil
	c.request(0, 7, 6, message.KindApp, "after")
	if r := c.lastReply(7); r == nil || r.RequestNum != 6 {
		t.Fatalf("reply after restart = %+v", r)
	}
	if n := len(c.sms[0].ops); n != 5 {
		t.Fatalf("primary executed %d app ops after restart, want 5", n)
	}
}

func TestRestartRejectsInconsistentDisk(t *testing.T) {
	bad := []core.Durable{
		{HardState: core.HardState{View: 1, LastNormalView: 2, PromisedView: 2}},
		{HardState: core.HardState{Commit: 3}},
		{Log: []message.Entry{{Op: 2}}},
	}
	for _, d := range bad {
		if _, err := core.New(core.Config{ReplicaCount: 3, Restart: &d}, &counter{}); !errors.Is(err, core.ErrBadDurableState) {
			t.Errorf("%+v accepted: %v", d, err)
		}
	}
}

func TestSingleReplicaNewClusterServes(t *testing.T) {
	sm := &counter{}
	r, err := core.New(core.Config{ReplicaCount: 1, NewCluster: true}, sm)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Info(); got.Status != core.StatusNormal || got.Primary != 0 {
		t.Fatalf("single new replica: %+v", got)
	}
	r.Step(&message.Request{ClientID: 1, RequestNum: 1, Kind: message.KindRegister})
	r.Step(&message.Request{ClientID: 1, RequestNum: 2, Session: 1, Payload: []byte("x")}) // registered at op 1
	out := r.Output()
	if len(out.Replies) != 2 || len(sm.ops) != 1 {
		t.Fatalf("replies %d, applied %d", len(out.Replies), len(sm.ops))
	}
}

func TestBackupAcknowledgesPreparesInOneBatch(t *testing.T) {
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 1}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	r.Output()
	for op := uint64(1); op <= 3; op++ {
		r.Step(&message.Prepare{View: 0, Entries: []message.Entry{{Op: op, ClientID: op, RequestNum: 1, Kind: message.KindRegister}}})
	}
	var acks []*message.PrepareOK
	for _, env := range r.Output().Messages {
		if ok, isAck := env.Msg.(*message.PrepareOK); isAck {
			acks = append(acks, ok)
		}
	}
	if len(acks) != 1 || acks[0].Op != 3 {
		t.Fatalf("acks = %+v, want one PrepareOK for op 3", acks)
	}
}

func TestDurableAcksCountPrimaryOnlyOncePersisted(t *testing.T) {
	r, err := core.New(core.Config{ReplicaCount: 3, DurableAcks: true}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	r.Persisted(r.Output().Seq)
	joinBackups(r, 3)
	r.Step(&message.Request{ClientID: 1, RequestNum: 1, Kind: message.KindRegister})
	out := r.Output()
	r.Step(&message.PrepareOK{View: 0, Op: 1, Replica: 1})
	if c := r.Info().Commit; c != 0 {
		t.Fatalf("committed op %d with the primary's copy not yet durable", c)
	}
	if !r.Persisted(out.Seq) || r.Info().Commit != 1 {
		t.Fatalf("after Persisted: commit %d, want 1", r.Info().Commit)
	}
	if rep := r.Output().Replies; len(rep) != 1 {
		t.Fatalf("replies after commit: %d", len(rep))
	}
}

func TestRestartedPrimaryWithDurableAcksHandsTheViewOn(t *testing.T) {
	d := &core.Durable{HardState: core.HardState{View: 3, LastNormalView: 3, PromisedView: 3}}
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 0, DurableAcks: true, Restart: d}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Info(); got.Status != core.StatusViewChange || got.View != 4 {
		t.Fatalf("restarted primary of view 3: %+v, want view change to 4", got)
	}
}

// joinBackups acknowledges view 0 from every backup of a lone primary, so
// that it starts serving (a cluster that never executed anything waits for
// every replica; see Replica.started).
func joinBackups(r *core.Replica, n int) {
	for i := 1; i < n; i++ {
		r.Step(&message.PrepareOK{View: 0, Op: 0, Replica: uint8(i)})
	}
	r.Output()
}
