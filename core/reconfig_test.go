package core_test

import (
	"encoding/binary"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// addJoiner starts a replica with id len(c.replicas) that is a member of
// no configuration yet.
func (c *cluster) addJoiner() int { return c.addJoinerWith(&counter{}) }

// addJoinerWith starts a joiner whose state machine is sm (nil: none, so
// it can join only as a witness).
func (c *cluster) addJoinerWith(sm *counter) int {
	id := len(c.replicas)
	cfg := core.Config{Join: true, JoinID: uint8(id), Seed: 42, HeartbeatTicks: 2, ViewChangeTicks: 10,
		RetryTicks: 3, MaxSessions: 4}
	if c.config != nil {
		c.config(&cfg)
		cfg.Join, cfg.JoinID = true, uint8(id)
	}
	var machine core.StateMachine
	if sm != nil {
		machine = sm
	}
	r, err := core.New(cfg, machine)
	if err != nil {
		c.t.Fatal(err)
	}
	c.replicas = append(c.replicas, r)
	c.sms = append(c.sms, sm)
	c.collect(id)
	return id
}

// reconfigure sends the admin client's RECONFIGURATION from epoch to ids
// (all full replicas) to replica to and returns the reply, if any.
func (c *cluster) reconfigure(to int, reqNum, epoch uint64, ids ...uint8) *message.Reply {
	const admin = 99
	if reqNum == 1 {
		c.request(to, admin, 0, message.KindRegister, "")
	}
	ms := make([]message.Member, len(ids))
	for i, id := range ids {
		ms[i] = message.Member{ID: id, Role: uint8(core.RoleVoter)}
	}
	c.request(to, admin, reqNum, message.KindReconfigure, string(message.Reconfiguration{Epoch: epoch, Members: ms}.Encode()))
	c.tick(1)
	return c.lastReply(admin)
}

// writeAt registers client and has the replica at to execute n writes.
func (c *cluster) writes(to int, client uint64, n int) {
	c.request(to, client, 1, message.KindRegister, "")
	for k := 0; k < n; k++ {
		c.request(to, client, uint64(k+2), message.KindApp, "w")
	}
}

func TestReconfigureThreeToFive(t *testing.T) {
	c := newCluster(t, 3)
	c.writes(0, 1, 5)
	a, b := c.addJoiner(), c.addJoiner()
	rp := c.reconfigure(0, 1, 0, 0, 1, 2, uint8(a), uint8(b))
	if rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("reply %+v, want OK", rp)
	}
	c.tick(40)
	for i := range c.replicas {
		in := c.info(i)
		if in.Epoch != 1 || in.Status != core.StatusNormal || in.Members.Size() != 5 {
			t.Fatalf("replica %d: epoch %d, status %v, %d members", i, in.Epoch, in.Status, in.Members.Size())
		}
		if c.sms[i].digest() != c.sms[0].digest() {
			t.Fatalf("replica %d: state differs from replica 0", i)
		}
	}
	// The new epoch serves: its primary is the first full replica (id 0).
	c.request(0, 7, 1, message.KindRegister, "")
	c.request(0, 7, 2, message.KindApp, "after")
	c.tick(5)
	if rp := c.lastReply(7); rp == nil || rp.RequestNum != 2 || rp.Epoch != 1 {
		t.Fatalf("reply %+v, want request 2 of epoch 1", rp)
	}
	for i := range c.replicas {
		if c.sms[i].digest() != c.sms[0].digest() {
			t.Fatalf("replica %d: state differs after a write of epoch 1", i)
		}
	}
}

func TestReconfigureRemovesPrimaryWhichRetires(t *testing.T) {
	c := newCluster(t, 3)
	c.writes(0, 1, 3)
	d := c.addJoiner()
	var retired []int
	c.onOutput = func(i int, out core.Output) {
		if out.Retire {
			retired = append(retired, i)
		}
	}
	rp := c.reconfigure(0, 1, 0, 1, 2, uint8(d))
	if rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("reply %+v, want OK", rp)
	}
	c.tick(40)
	if in := c.info(0); in.Status != core.StatusRetired || in.Epoch != 1 {
		t.Fatalf("old primary: %v in epoch %d, want retired in epoch 1", in.Status, in.Epoch)
	}
	if len(retired) != 1 || retired[0] != 0 {
		t.Fatalf("retired %v, want [0]", retired)
	}
	if c.info(0).Started < 2 {
		t.Fatalf("retired after %d EpochStarted, want f'+1 = 2", c.info(0).Started)
	}
	for _, i := range []int{1, 2, d} {
		in := c.info(i)
		if in.Epoch != 1 || in.Status != core.StatusNormal || in.View != 0 || in.Primary != 0 {
			t.Fatalf("replica %d: epoch %d %v view %d primary index %d", i, in.Epoch, in.Status, in.View, in.Primary)
		}
	}
	// The primary of epoch 1, view 0, is id 1 (index 0).
	c.request(1, 7, 1, message.KindRegister, "")
	c.request(1, 7, 2, message.KindApp, "x")
	c.tick(5)
	if rp := c.lastReply(7); rp == nil || rp.RequestNum != 2 || rp.Replica != 1 {
		t.Fatalf("reply %+v, want request 2 answered by id 1", rp)
	}
}

func TestReconfigureRefusals(t *testing.T) {
	c := newCluster(t, 3)
	c.writes(0, 1, 2)
	reason := func(rp *message.Reply) message.RefusalReason {
		if rp == nil || rp.Status != message.StatusRefused || len(rp.Result) == 0 {
			t.Fatalf("reply %+v, want a refusal", rp)
		}
		return message.RefusalReason(rp.Result[0])
	}
	rp := c.reconfigure(0, 1, 5, 0, 1, 3)
	if reason(rp) != message.RefuseStaleEpoch || binary.LittleEndian.Uint64(rp.Result[1:]) != 0 {
		t.Fatalf("stale epoch: %+v", rp)
	}
	if r := reason(c.reconfigure(0, 2, 0, 0)); r != message.RefuseTooSmall {
		t.Fatalf("one member: %v", r)
	}
	if r := reason(c.reconfigure(0, 3, 0, 0, 1, 2)); r != message.RefuseUnchanged {
		t.Fatalf("same members: %v", r)
	}
	if r := reason(c.reconfigure(0, 4, 0, 0, 1, 2, 3)); r != message.RefuseInvalid {
		t.Fatalf("four members: %v", r)
	}
	// Nothing changed: still epoch 0 everywhere, and the cluster serves.
	for i := range c.replicas {
		if c.info(i).Epoch != 0 {
			t.Fatalf("replica %d moved to epoch %d", i, c.info(i).Epoch)
		}
	}
	// In progress: a RECONFIGURATION in the log, not executed (its
	// Prepares held), holds back another (no answer: the client retries,
	// TestNoRefusalWhileTransitioning), and every client op.
	c.hold = func(from int, e core.Envelope) bool { _, ok := e.Msg.(*message.Prepare); return ok }
	c.reconfigure(0, 5, 0, 0, 1, 3)
	if !c.info(0).Transitioning {
		t.Fatal("primary not transitioning with a RECONFIGURATION in its log")
	}
	op := c.info(0).Op
	c.request(0, 1, 10, message.KindApp, "late")
	if c.info(0).Op != op {
		t.Fatal("primary appended a client op after a RECONFIGURATION")
	}
	c.request(0, 1, 11, message.KindReconfigure, string(message.Reconfiguration{Epoch: 0,
		Members: []message.Member{{ID: 0, Role: 1}, {ID: 1, Role: 1}, {ID: 4, Role: 1}}}.Encode()))
	if c.info(0).Op != op {
		t.Fatal("primary appended a second RECONFIGURATION")
	}
	if rp := c.lastReply(1); rp.RequestNum == 11 {
		t.Fatalf("second reconfiguration answered %+v while the first is in progress", rp)
	}
	// Ids are never reused: once 2 left, it cannot come back.
	c.addJoiner() // id 3
	c.release()
	c.tick(40)
	if in := c.info(1); in.Epoch != 1 {
		t.Fatalf("replica 1 in epoch %d, want 1", in.Epoch)
	}
	if r := reason(c.reconfigure(0, 7, 1, 0, 1, 2)); r != message.RefuseReusedID {
		t.Fatalf("reused id: %v", r)
	}
}

// TestLeaseAcrossEpochsPlanted: the primary that executes a RECONFIGURATION
// removing it stops answering reads under its lease; with the planted bug
// LeaseAcrossEpochs it keeps answering them from its old state while the
// new epoch commits writes: a stale read (the simulator's history check
// catches it too, in random seeds of profile reconfig).
func TestLeaseAcrossEpochsPlanted(t *testing.T) {
	for _, planted := range []bool{false, true} {
		c := newClusterWith(t, 3, func(cfg *core.Config) {
			if planted {
				cfg.Plant(plant.Bugs{LeaseAcrossEpochs: true})
			}
		})
		c.writes(0, 1, 3)
		c.tick(3) // the backups' echoes give the primary its lease
		d := c.addJoiner()
		if rp := c.reconfigure(0, 1, 0, 1, 2, uint8(d)); rp == nil || rp.Status != message.StatusOK {
			t.Fatalf("reply %+v, want OK", rp)
		}
		// The new epoch's primary (id 1) commits a write at once.
		c.request(1, 7, 1, message.KindRegister, "")
		c.request(1, 7, 2, message.KindApp, "new")
		if rp := c.lastReply(7); rp == nil || rp.RequestNum != 2 {
			t.Fatalf("planted %v: write of epoch 1 not answered: %+v", planted, rp)
		}
		c.request(0, 8, 1, message.KindRead, "?")
		rp := c.lastReply(8)
		if stale := rp != nil && rp.Status == message.StatusOK; stale != planted {
			t.Fatalf("planted %v: the retired primary answered a read: %+v", planted, rp)
		}
		if planted && binary.BigEndian.Uint64(rp.Result) >= uint64(len(c.sms[1].ops)) {
			t.Fatalf("planted read %d not stale (epoch 1 holds %d ops)", binary.BigEndian.Uint64(rp.Result), len(c.sms[1].ops))
		}
	}
}

// The addresses a RECONFIGURATION gives are opaque data the core carries
// to every member of the new epoch, joiners included (which learn the
// configuration from StartEpoch), and into the hard state.
func TestReconfigureCarriesAddresses(t *testing.T) {
	c := newCluster(t, 3)
	var hard []core.HardState
	c.onOutput = func(i int, out core.Output) {
		if out.HardState.Epoch == 1 {
			hard = append(hard, out.HardState)
		}
	}
	c.writes(0, 1, 2)
	a, b := c.addJoiner(), c.addJoiner()
	ms := []message.Member{{ID: 0, Role: 1, Addr: "h0:1"}, {ID: 1, Role: 1, Addr: "h1:1"}, {ID: 2, Role: 1, Addr: "h2:1"},
		{ID: uint8(a), Role: 1, Addr: "h3:1"}, {ID: uint8(b), Role: 1, Addr: "h4:1"}}
	c.request(0, 99, 0, message.KindRegister, "")
	c.request(0, 99, 1, message.KindReconfigure, string(message.Reconfiguration{Epoch: 0, Members: ms}.Encode()))
	c.tick(40)
	for i := range c.replicas {
		in := c.info(i)
		if in.Epoch != 1 || in.Members.Size() != 5 {
			t.Fatalf("replica %d: epoch %d, %d members", i, in.Epoch, in.Members.Size())
		}
		for k, m := range in.Members.Members {
			if m.Addr != ms[k].Addr {
				t.Fatalf("replica %d: member %d address %q, want %q", i, m.ID, m.Addr, ms[k].Addr)
			}
		}
	}
	if len(hard) == 0 {
		t.Fatal("no hard state of epoch 1")
	}
	for _, hs := range hard {
		if len(hs.Members) != 5 || hs.Members[3].Addr != "h3:1" {
			t.Fatalf("hard state members %+v, want the addresses", hs.Members)
		}
	}
}

// TestReconfigureRefusesNewMajority: a configuration in which fewer than
// f'+1 voting members hold the state at its first op (members that stay
// and keep up, standbys promoted) is refused with RefuseNewMajority —
// replacing two of three members at once, or growing 3 → 5 while a
// member lags by more than a checkpoint — and admitted once enough
// members keep up.
func TestReconfigureRefusesNewMajority(t *testing.T) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.CheckpointInterval = 4 })
	c.writes(0, 1, 2)
	c.addJoiner() // id 3
	c.addJoiner() // id 4
	if r := refusal(t, c.reconfigure(0, 1, 0, 0, 3, 4)); r != message.RefuseNewMajority {
		t.Fatalf("two of three replaced: %v", r)
	}
	c.isolate(2)
	for k := 0; k < 6; k++ {
		c.request(0, 1, uint64(10+k), message.KindApp, "w")
	}
	c.tick(2)
	if r := refusal(t, c.reconfigure(0, 20, 0, 0, 1, 2, 3, 4)); r != message.RefuseNewMajority {
		t.Fatalf("3 → 5 with member 2 a checkpoint behind: %v", r)
	}
	c.heal()
	c.tick(30)
	if rp := c.reconfigure(0, 21, 0, 0, 1, 2, 3, 4); rp == nil || rp.Status != message.StatusOK {
		t.Fatalf("3 → 5 with every member keeping up: reply %+v, want OK", rp)
	}
}
