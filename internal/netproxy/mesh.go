package netproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Mesh is the network of an n-replica cluster made of proxies: one Proxy
// per directed link (i→j), i ≠ j, listening on a free loopback port and
// forwarding to replica j's real address, and one client Proxy per
// replica. Replica i must be started with Peers(i) as its --cluster list
// and its real address as --listen; clients dial ClientAddrs().
type Mesh struct {
	replicas []string
	links    [][]*Proxy // links[i][j] carries i's messages to j; nil if i == j
	clients  []*Proxy
}

// NewMesh starts the proxies for a cluster whose replicas listen on
// replicas (loopback addresses, in configuration order). The proxies stop
// when ctx ends or Close is called.
func NewMesh(ctx context.Context, replicas []string, log *slog.Logger) (*Mesh, error) {
	m := &Mesh{replicas: slices.Clone(replicas), links: make([][]*Proxy, len(replicas))}
	for i := range replicas {
		m.links[i] = make([]*Proxy, len(replicas))
		for j, target := range replicas {
			if i == j {
				continue
			}
			p, err := Start(ctx, Config{Listen: "127.0.0.1:0", Target: target, Name: fmt.Sprintf("%d->%d", i, j), Logger: log})
			if err != nil {
				m.Close()
				return nil, err
			}
			m.links[i][j] = p
		}
	}
	for j, target := range replicas {
		p, err := Start(ctx, Config{Listen: "127.0.0.1:0", Target: target, Name: fmt.Sprintf("client->%d", j), Logger: log})
		if err != nil {
			m.Close()
			return nil, err
		}
		m.clients = append(m.clients, p)
	}
	return m, nil
}

// Size is the number of replicas.
func (m *Mesh) Size() int { return len(m.replicas) }

// Peers is replica i's --cluster list: its own real address at i, and at
// every j ≠ i the proxy of the link (i→j).
func (m *Mesh) Peers(i int) []string {
	out := make([]string, len(m.replicas))
	for j := range out {
		if j == i {
			out[j] = m.replicas[i]
		} else {
			out[j] = m.links[i][j].Addr()
		}
	}
	return out
}

// ClientAddrs are the client proxies' addresses, in replica order: a
// client configured with them reaches replica j through Client(j).
func (m *Mesh) ClientAddrs() []string {
	out := make([]string, len(m.clients))
	for j, p := range m.clients {
		out[j] = p.Addr()
	}
	return out
}

// Link is the proxy that carries replica from's messages to replica to.
func (m *Mesh) Link(from, to int) *Proxy { return m.links[from][to] }

// Client is the proxy in front of replica j for clients.
func (m *Mesh) Client(j int) *Proxy { return m.clients[j] }

// each calls f with the link of every pair (i, j), i in from, j in to,
// i ≠ j.
func (m *Mesh) each(from, to []int, f func(*Proxy)) {
	for _, i := range from {
		for _, j := range to {
			if i != j {
				f(m.links[i][j])
			}
		}
	}
}

// Cut cuts the links from every replica in from to every replica in to:
// one direction only.
func (m *Mesh) Cut(from, to []int) { m.each(from, to, (*Proxy).Cut) }

// Split cuts every link between a replica in a and one in b, both ways.
func (m *Mesh) Split(a, b []int) {
	m.Cut(a, b)
	m.Cut(b, a)
}

// Blackhole discards, without closing anything, every message sent from a
// replica in from to a replica in to: one direction only.
func (m *Mesh) Blackhole(from, to []int) {
	m.each(from, to, func(p *Proxy) { p.SetBlackhole(Forward, true) })
}

// Delay adds delay to every message from a replica in from to one in to.
func (m *Mesh) Delay(from, to []int, delay time.Duration) error {
	var errs []error
	m.each(from, to, func(p *Proxy) { errs = append(errs, p.SetDelay(Forward, delay)) })
	return errors.Join(errs...)
}

// Heal ends every fault on every link and client proxy.
func (m *Mesh) Heal() {
	for _, p := range m.all() {
		p.Heal()
	}
}

// LinkStats returns the stats of the link (from→to).
func (m *Mesh) LinkStats(from, to int) Stats { return m.links[from][to].Stats() }

// Close stops every proxy.
func (m *Mesh) Close() {
	for _, p := range m.all() {
		_ = p.Close()
	}
}

// all is every proxy of the mesh, links first.
func (m *Mesh) all() []*Proxy {
	var out []*Proxy
	for _, row := range m.links {
		for _, p := range row {
			if p != nil {
				out = append(out, p)
			}
		}
	}
	return append(out, m.clients...)
}
