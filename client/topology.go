package client

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/vr-go/vr/message"
)

// Discovery (docs/protocol.md, "Client discovery"). The client knows the
// cluster's configuration (epoch, members by id with their addresses, a
// view) from the replicas: any replica answers a configuration query
// (KindConfig) with the configuration it knows. Dial asks every address it
// was given and takes the newest epoch any of them knows, so one reachable
// member suffices; a reply of a later epoch, or a request unanswered for a
// while, makes it ask again every address it ever knew, so a client whose
// addresses were all replaced but one still finds the cluster.

// topology is what the client knows of the cluster's configuration.
type topology struct {
	epoch   uint64
	view    uint64
	members []message.Member // with their addresses
	gen     uint64           // bumped at every change: sessions follow it
}

// primaryAddr is the address of the primary of the view, "" if unknown.
func (t topology) primaryAddr() string {
	full := t.full()
	if len(full) == 0 {
		return ""
	}
	return full[t.view%uint64(len(full))].Addr
}

// full are the members that may be primary and hold state.
func (t topology) full() []message.Member {
	var ms []message.Member
	for _, m := range t.members {
		if m.Role != roleWitness {
			ms = append(ms, m)
		}
	}
	return ms
}

// roleWitness is core.RoleWitness's value on the wire.
const roleWitness = 2

// staticTopology is epoch 0's configuration from Config.Addrs: ids are
// positions, for a cluster whose replicas answer no configuration query.
func staticTopology(cfg Config) (topology, error) {
	n := len(cfg.Addrs)
	if n%2 == 0 {
		return topology{}, fmt.Errorf("%w: no replica answered a configuration query, and %d addresses are not a configuration of 2f+1", ErrBadConfig, n)
	}
	t := topology{gen: 1}
	for i, a := range cfg.Addrs {
		role := uint8(1)
		if slices.Contains(cfg.Witnesses, i) {
			role = roleWitness
		}
		t.members = append(t.members, message.Member{ID: uint8(i), Role: role, Addr: a})
	}
	return t, nil
}

// Config returns the configuration the client knows: its epoch, a view
// of it and its members with their addresses.
func (c *Client) Config() (epoch, view uint64, members []message.Member) {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	return c.topo.epoch, c.topo.view, slices.Clone(c.topo.members)
}

// learn adopts t if it is newer than what the client knows: a later
// epoch, or a later view of the same one.
func (c *Client) learn(t topology) bool {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	cur := c.topo
	switch {
	case len(t.members) == 0:
		return false
	case len(cur.members) > 0 && t.epoch < cur.epoch:
		return false
	case len(cur.members) > 0 && t.epoch == cur.epoch && t.view <= cur.view:
		return false
	}
	t.gen = cur.gen + 1
	c.topo = t
	for _, m := range t.members {
		if !slices.Contains(c.known, m.Addr) {
			c.known = append(c.known, m.Addr)
		}
	}
	if t.epoch != cur.epoch {
		c.log.Info("client learned a configuration", "epoch", t.epoch, "members", len(t.members), "from_epoch", cur.epoch)
	}
	return true
}

// learnView raises the view of the client's epoch.
func (c *Client) learnView(epoch, v uint64) {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	if epoch == c.topo.epoch && v > c.topo.view {
		c.topo.view = v
		c.topo.gen++
	}
}

// follow brings s's proxy to the client's configuration if it changed.
func (c *Client) follow(s *session) {
	c.topoMu.Lock()
	t := c.topo
	c.topoMu.Unlock()
	if t.gen == s.gen {
		return
	}
	s.gen = t.gen
	if err := s.proxy.SetConfig(t.epoch, t.view, t.members); err != nil {
		c.log.Warn("unusable configuration", "epoch", t.epoch, "err", err)
	}
}

// addrOf returns the address of member id, "" if unknown.
func (c *Client) addrOf(id int) string {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	for _, m := range c.topo.members {
		if int(m.ID) == id {
			return m.Addr
		}
	}
	return ""
}

// connTo returns the connection to addr, creating it (not yet dialled).
func (c *Client) connTo(addr string) *conn {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	k := c.conns[addr]
	if k == nil {
		k = &conn{client: c, addr: addr}
		c.conns[addr] = k
	}
	return k
}

// allConns returns every connection.
func (c *Client) allConns() []*conn {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	ks := make([]*conn, 0, len(c.conns))
	for _, k := range c.conns {
		ks = append(ks, k)
	}
	return ks
}

// knownAddrs returns every address the client ever knew.
func (c *Client) knownAddrs() []string {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	return slices.Clone(c.known)
}

// discover asks every known address for its configuration until ctx ends
// or every one answered, and adopts the newest. It reports whether any
// answered with a configuration.
func (c *Client) discover(ctx context.Context) bool {
	var b [8]byte
	_, _ = crand.Read(b[:])
	s := &session{id: binary.LittleEndian.Uint64(b[:]) | 1, replies: make(chan *message.Reply, 64)}
	c.mu.Lock()
	c.waiters[s.id] = s
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, s.id)
		c.mu.Unlock()
	}()
	addrs := c.knownAddrs()
	answered := map[uint8]bool{}
	best, found := topology{}, false
	resend := time.NewTicker(100 * time.Millisecond)
	defer resend.Stop()
	var grace <-chan time.Time // after the first answer: a little longer for newer ones
	for round := uint64(1); ; round++ {
		for _, a := range addrs {
			c.connTo(a).send(&message.Request{ClientID: s.id, RequestNum: round, Kind: message.KindConfig})
		}
		select {
		case <-ctx.Done():
			return found && c.learnOrTrue(best)
		case <-grace:
			return c.learnOrTrue(best)
		case <-resend.C:
		case rep := <-s.replies:
			for more := true; more; {
				if t, ok := configOf(rep); ok {
					answered[rep.Replica] = true
					if !found || t.epoch > best.epoch || t.epoch == best.epoch && t.view > best.view {
						best, found = t, true
					}
				}
				select {
				case rep = <-s.replies:
				default:
					more = false
				}
			}
			if found && len(answered) >= len(addrs) {
				return c.learnOrTrue(best)
			}
			if found && grace == nil {
				grace = time.After(discoveryGrace)
			}
		}
	}
}

// learnOrTrue adopts t (if newer) and reports true: a configuration was
// found, new or not.
func (c *Client) learnOrTrue(t topology) bool {
	c.learn(t)
	return true
}

// configOf decodes the answer to a configuration query.
func configOf(rep *message.Reply) (topology, bool) {
	if rep.Status != message.StatusOK {
		return topology{}, false
	}
	cfg, err := message.DecodeReconfiguration(rep.Result)
	if err != nil || len(cfg.Members) == 0 || cfg.Epoch != rep.Epoch {
		return topology{}, false
	}
	for _, m := range cfg.Members {
		if m.Addr == "" {
			return topology{}, false
		}
	}
	return topology{epoch: cfg.Epoch, view: rep.View, members: cfg.Members}, true
}

// refresh asks the known addresses for a newer configuration in the
// background, at most once at a time and once per refreshEvery.
func (c *Client) refresh() {
	if c.cfg.Static {
		return
	}
	now := time.Now().UnixNano()
	last := c.lastRefresh.Load()
	if now-last < int64(refreshEvery) || !c.lastRefresh.CompareAndSwap(last, now) {
		return
	}
	c.spawn(func() {
		ctx, cancel := context.WithTimeout(c.ctx, c.cfg.DialTimeout)
		defer cancel()
		c.discover(ctx)
	})
}

// discoveryGrace is how long discovery waits for other answers after the
// first one: a replica that is behind may answer first.
const discoveryGrace = 150 * time.Millisecond

// refreshEvery spaces the client's configuration queries.
const refreshEvery = 300 * time.Millisecond
