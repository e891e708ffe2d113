package core_test

import (
	"encoding/binary"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// read steps a read-only request "?" of kind at replica to and returns the
// reply it produced at once (nil if none) and whether it appended to the
// log.
func read(c *cluster, to int, kind message.RequestKind, reqNum uint64) (*message.Reply, bool) {
	before := c.info(to).Op
	c.replicas[to].Step(&message.Request{ClientID: 7, RequestNum: reqNum, Session: c.sessions[7], Kind: kind, Payload: []byte("?")})
	n := len(c.replies)
	c.collect(to)
	logged := c.info(to).Op > before
	for _, r := range c.replies[n:] {
		if r.ClientID == 7 && r.RequestNum == reqNum {
			return r, logged
		}
	}
	return nil, logged
}

func applied(r *message.Reply) uint64 { return binary.BigEndian.Uint64(r.Result) }

func TestPrimaryAnswersReadUnderLease(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	c.tick(2) // a heartbeat; the backups' acks echo it
	rep, logged := read(c, 0, message.KindRead, 3)
	if rep == nil || logged || rep.Status != message.StatusOK || applied(rep) != 1 {
		t.Fatalf("lease read: reply %+v, logged %v", rep, logged)
	}
	if got := c.info(0).LeaseReads; got != 1 {
		t.Fatalf("lease reads = %d", got)
	}
}

func TestReadWithoutLeaseGoesThroughLog(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	c.isolate(0)
	c.tick(8) // longer than the lease: (10-1)·0.95/1.05 - 1 = 7 ticks
	rep, logged := read(c, 0, message.KindRead, 3)
	if rep != nil || !logged {
		t.Fatalf("read after the lease ran out: reply %+v, logged %v", rep, logged)
	}
}

func TestBackupWithholdsDoViewChangeDuringLease(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.tick(12)   // past the boot-time promise; heartbeats renew the lease
	c.isolate(0) // the backups last accepted a Commit at most 2 ticks ago
	// Both backups want view 1 at once: without their promise they would
	// complete it within a tick.
	for _, b := range []int{1, 2} {
		c.replicas[b].Step(&message.StartViewChange{View: 1, Replica: uint8(3 - b), PromisedView: 1})
		c.collect(b)
	}
	c.deliver()
	ticks := 0
	for ; ticks < 30 && !(c.info(1).View == 1 && c.info(1).Status == core.StatusNormal); ticks++ {
		c.tick(1)
	}
	if ticks < 7 || ticks == 30 {
		t.Fatalf("view 1 started %d ticks after the last heartbeat's promise of 10", ticks)
	}
}

func TestStaleReadAtBackup(t *testing.T) {
	c := newCluster(t, 3)
	register(c, 0, 7)
	c.request(0, 7, 2, message.KindApp, "a")
	c.tick(2) // the backups learn the commit
	rep, logged := read(c, 1, message.KindStaleRead, 3)
	if rep == nil || logged || rep.Replica != 1 || applied(rep) != 1 {
		t.Fatalf("stale read at a backup: reply %+v, logged %v", rep, logged)
	}
	c.replicas[1].Step(&message.Request{ClientID: 7, RequestNum: 4, Kind: message.KindStaleRead, Payload: []byte("write")})
	n := len(c.replies)
	c.collect(1)
	if len(c.replies) != n+1 || c.replies[n].Status != message.StatusRejected {
		t.Fatalf("a non-read-only stale read was not rejected: %+v", c.replies[n:])
	}
}
