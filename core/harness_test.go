package core_test

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"hash/fnv"
	"io"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// counter is a tiny deterministic state machine: it appends every op to a
// history and returns the history's length.
type counter struct{ ops [][]byte }

func (c *counter) Apply(_ uint64, op []byte) []byte {
	c.ops = append(c.ops, op)
	return binary.BigEndian.AppendUint64(nil, uint64(len(c.ops)))
}
func (c *counter) Snapshot() io.WriterTo { return counterSnap(c.ops[:len(c.ops):len(c.ops)]) }

// counterSnap is a counter's history at a checkpoint: ops are never changed
// in place, so sharing the slice is a copy-on-write snapshot.
type counterSnap [][]byte

func (s counterSnap) WriteTo(w io.Writer) (int64, error) {
	var b []byte
	for _, op := range s {
		b = binary.BigEndian.AppendUint32(b, uint32(len(op)))
		b = append(b, op...)
	}
	n, err := w.Write(b)
	return int64(n), err
}

func (c *counter) Restore(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var ops [][]byte
	for len(b) > 0 {
		if len(b) < 4 || uint64(len(b)-4) < uint64(binary.BigEndian.Uint32(b)) {
			return errors.New("counter: bad snapshot")
		}
		n := binary.BigEndian.Uint32(b)
		ops = append(ops, append([]byte(nil), b[4:4+n]...))
		b = b[4+n:]
	}
	c.ops = ops
	return nil
}

// Query answers "?" with the number of ops applied; anything else is not
// read-only.
func (c *counter) Query(op []byte) ([]byte, bool) {
	if string(op) != "?" {
		return nil, false
	}
	return binary.BigEndian.AppendUint64(nil, uint64(len(c.ops))), true
}

func (c *counter) digest() uint64 {
	h := fnv.New64a()
	for _, op := range c.ops {
		h.Write(op)
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// cluster wires replicas together with an in-memory queue. Links can be cut
// per direction; down replicas drop everything.
type cluster struct {
	t        *testing.T
	replicas []*core.Replica
	sms      []*counter
	queue    []core.Envelope
	replies  []*message.Reply
	cut      map[[2]int]bool
	down     map[int]bool
	from     map[message.Message]int
	onOutput func(i int, out core.Output)
	// hold, if set, keeps the messages it returns true for in held instead
	// of the queue: in flight until release puts them back.
	hold func(from int, e core.Envelope) bool
	held []core.Envelope
	// config, if set, adjusts every replica's configuration.
	config func(*core.Config)
	// saved holds, per replica, the encoded checkpoints its "driver"
	// saved, newest first (two at most), to serve GetCheckpoint from.
	saved map[int][]savedCkpt
	// unsaved, if set, keeps the checkpoints Outputs carry unsaved, in
	// pending, until saveNow saves them.
	unsaved bool
	pending map[int][]*core.Checkpoint
	// sessions holds each client's session identity, learned from the
	// reply to its last Register (registers: that Register's request
	// number), as a client's proxy does; request stamps it.
	sessions  map[uint64]uint64
	registers map[uint64]uint64
	// fetched holds, per replica, the chunks of the checkpoint it fetches
	// (Output.FetchChunks), installed at once on Output.Install.
	fetched map[int][]byte
	// mangle, if set, changes the fetched bytes before an install runs;
	// ran, if set, sees each install right after it ran.
	mangle func(data []byte) []byte
	ran    func(i int, in *core.Install)
}

// savedCkpt is an encoded checkpoint a replica's driver holds.
type savedCkpt struct {
	op   uint64
	data []byte
}

func newCluster(t *testing.T, n int) *cluster { return newClusterWith(t, n, nil) }

// newClusterWith starts a cluster whose replicas' configuration config
// adjusts (nil: none).
func newClusterWith(t *testing.T, n int, config func(*core.Config)) *cluster {
	c := &cluster{t: t, cut: map[[2]int]bool{}, down: map[int]bool{}, from: map[message.Message]int{},
		replicas: make([]*core.Replica, n), sms: make([]*counter, n), config: config,
		saved: map[int][]savedCkpt{}, pending: map[int][]*core.Checkpoint{}, fetched: map[int][]byte{},
		sessions: map[uint64]uint64{}, registers: map[uint64]uint64{}}
	for i := 0; i < n; i++ {
		c.start(i, false)
	}
	c.join()
	return c
}

// join lets the primary of view 0 hear every backup once (a heartbeat and
// its acknowledgements), which a cluster that never executed anything
// needs before it serves.
func (c *cluster) join() {
	for i := 1; i < len(c.replicas); i++ {
		c.replicas[0].Step(&message.PrepareOK{View: 0, Op: 0, Replica: uint8(i)})
	}
	c.collect(0)
	c.deliver()
}

func (c *cluster) start(i int, recovering bool) {
	c.sms[i] = &counter{}
	cfg := core.Config{
		ReplicaCount: len(c.replicas), Index: i, Seed: 42,
		HeartbeatTicks: 2, ViewChangeTicks: 10, RetryTicks: 3,
		MaxSessions: 4, Recovering: recovering,
	}
	if c.config != nil {
		c.config(&cfg)
	}
	r, err := core.New(cfg, c.sms[i])
	if err != nil {
		c.t.Fatal(err)
	}
	c.replicas[i] = r
	c.saved[i], c.pending[i] = nil, nil // a diskless driver's saves are gone
	delete(c.down, i)
	c.collect(i)
}

func (c *cluster) collect(i int) {
	out := c.replicas[i].Output()
	c.process(i, out)
	c.install(i, out)
	if out.Checkpoint != nil {
		c.pending[i] = append(c.pending[i], out.Checkpoint)
		if !c.unsaved {
			c.saveNow(i)
		}
	}
	if c.replicas[i].ExecuteCommitted() { // as the driver does once out left
		c.collect(i)
	}
}

// install stores the fetched chunks out carries and runs its Install at
// once, as a driver does off the loop (the harness serves whole chains).
func (c *cluster) install(i int, out core.Output) {
	for _, m := range out.FetchChunks {
		if m.Offset == 0 {
			c.fetched[i] = nil
		}
		c.fetched[i] = append(c.fetched[i][:m.Offset], m.Data...)
	}
	in := out.Install
	if in == nil {
		return
	}
	data := c.fetched[i]
	c.fetched[i] = nil
	if in.After != 0 || uint64(len(data)) != in.Size {
		c.t.Fatalf("replica %d: install of %d bytes after %d; %d fetched", i, in.Size, in.After, len(data))
	}
	if c.mangle != nil {
		data = c.mangle(data)
	}
	_ = in.Run(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if c.ran != nil {
		c.ran(i, in)
	}
	c.replicas[i].Installed(in)
	c.collect(i)
}

// saveNow saves replica i's pending checkpoints, as a driver does once it
// wrote them, and tells the replica.
func (c *cluster) saveNow(i int) {
	for _, ck := range c.pending[i] {
		var b bytes.Buffer
		if _, err := ck.WriteTo(&b); err != nil {
			c.t.Fatalf("replica %d: writing checkpoint %d: %v", i, ck.Op, err)
		}
		c.saved[i] = append([]savedCkpt{{ck.Op, b.Bytes()}}, c.saved[i]...)[:min(2, len(c.saved[i])+1)]
		c.replicas[i].CheckpointSaved(ck.Op)
	}
	c.pending[i] = nil
	c.collect(i)
}

// serve answers a GetCheckpoint to replica i from what it saved, as the
// driver does (driver/serve.go), as if replica i had output the chunk.
func (c *cluster) serve(i int, m *message.GetCheckpoint) {
	for _, s := range c.saved[i] {
		if (m.Op != 0 && s.op != m.Op) || (m.Op == 0 && (s.op < m.MinOp || s.op > m.MaxOp)) {
			continue
		}
		if m.Offset > uint64(len(s.data)) {
			return
		}
		end := min(m.Offset+uint64(c.chunk()), uint64(len(s.data)))
		data := s.data[m.Offset:end:end]
		ch := &message.CheckpointChunk{Epoch: m.Epoch, Replica: uint8(i), Op: s.op, Size: uint64(len(s.data)), Offset: m.Offset,
			Checksum: crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)), Data: data}
		c.process(i, core.Output{Messages: []core.Envelope{{To: int(m.Replica), Msg: ch}}})
		return
	}
}

// chunk is the checkpoint chunk size the replicas are configured with.
func (c *cluster) chunk() int {
	cfg := core.Config{}
	if c.config != nil {
		c.config(&cfg)
	}
	return cmp.Or(cfg.CheckpointChunk, core.DefaultCheckpointChunk)
}

// process handles what replica i output.
func (c *cluster) process(i int, out core.Output) {
	if c.onOutput != nil {
		c.onOutput(i, out)
	}
	for _, e := range out.Messages {
		c.from[e.Msg] = i
		if c.hold != nil && c.hold(i, e) {
			c.held = append(c.held, e)
			continue
		}
		c.queue = append(c.queue, e)
	}
	c.replies = append(c.replies, out.Replies...)
	for _, rep := range out.Replies {
		if c.registers[rep.ClientID] == rep.RequestNum && rep.Status == message.StatusOK {
			if id, ok := message.DecodeSession(rep.Result); ok {
				c.sessions[rep.ClientID] = id
			}
		}
	}
}

// deliver runs the queue until it is empty (bounded).
func (c *cluster) deliver() {
	for steps := 0; len(c.queue) > 0; steps++ {
		if steps > 100000 {
			c.t.Fatal("message storm: queue never drained")
		}
		e := c.queue[0]
		c.queue = c.queue[1:]
		from := c.from[e.Msg]
		if c.down[e.To] || c.cut[[2]int{from, e.To}] {
			continue
		}
		if g, ok := e.Msg.(*message.GetCheckpoint); ok && g.Epoch == c.replicas[e.To].Epoch() {
			c.serve(e.To, g)
			continue
		}
		c.replicas[e.To].Step(e.Msg)
		c.collect(e.To)
	}
}

func (c *cluster) tick(n int) {
	for k := 0; k < n; k++ {
		for i, r := range c.replicas {
			if !c.down[i] {
				r.Tick()
				c.collect(i)
			}
		}
		c.deliver()
	}
}

// request sends a client's request to replica to, in the client's
// session as the cluster last answered its Register.
func (c *cluster) request(to int, client, reqNum uint64, kind message.RequestKind, payload string) {
	c.send(to, &message.Request{ClientID: client, RequestNum: reqNum, Session: c.sessions[client], Kind: kind, Payload: []byte(payload)})
}

// send delivers a request as it is, and what follows from it.
func (c *cluster) send(to int, m *message.Request) {
	if m.Kind == message.KindRegister {
		c.registers[m.ClientID] = m.RequestNum
	}
	c.replicas[to].Step(m)
	c.collect(to)
	c.deliver()
}

func (c *cluster) lastReply(client uint64) *message.Reply {
	for i := len(c.replies) - 1; i >= 0; i-- {
		if c.replies[i].ClientID == client {
			return c.replies[i]
		}
	}
	return nil
}

func (c *cluster) info(i int) core.Info { return c.replicas[i].Info() }

func (c *cluster) isolate(i int) {
	for j := range c.replicas {
		c.cut[[2]int{i, j}] = true
		c.cut[[2]int{j, i}] = true
	}
}

func (c *cluster) heal() { c.cut = map[[2]int]bool{} }

// release delivers the held messages, as if they had been in flight all
// along (their sender may have crashed since).
func (c *cluster) release() {
	c.hold = nil
	c.queue = append(c.queue, c.held...)
	c.held = nil
	c.deliver()
}
