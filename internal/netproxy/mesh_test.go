package netproxy

import (
	"context"
	"net"
	"slices"
	"testing"
)

// startMesh starts a mesh in front of n fake replicas.
func startMesh(t *testing.T, n int) (*Mesh, []*target) {
	t.Helper()
	var tgs []*target
	var addrs []string
	for range n {
		tg := startTarget(t)
		tgs, addrs = append(tgs, tg), append(addrs, tg.addr)
	}
	m, err := NewMesh(context.Background(), addrs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, tgs
}

func TestMeshPeers(t *testing.T) {
	m, tgs := startMesh(t, 3)
	got := m.Peers(1)
	want := []string{m.Link(1, 0).Addr(), tgs[1].addr, m.Link(1, 2).Addr()}
	if !slices.Equal(got, want) {
		t.Errorf("Peers(1) = %v, want %v", got, want)
	}
	seen := map[string]bool{}
	for _, a := range m.ClientAddrs() {
		seen[a] = true
	}
	for i := range 3 {
		for j, a := range m.Peers(i) {
			if j != i && seen[a] {
				t.Errorf("address %s used twice", a)
			}
			seen[a] = true
		}
	}
	for j := range 3 {
		if m.Client(j).Target() != tgs[j].addr || m.ClientAddrs()[j] != m.Client(j).Addr() {
			t.Errorf("client proxy %d targets %s", j, m.Client(j).Target())
		}
		for i := range 3 {
			if i != j && m.Link(i, j).Target() != tgs[j].addr {
				t.Errorf("link %d->%d targets %s, want replica %d", i, j, m.Link(i, j).Target(), j)
			}
		}
	}
}

// TestMeshSplit cuts {0} from {1,2}: the four links between the sides
// refuse, the two inside {1,2} and the client proxies pass; Heal restores.
func TestMeshSplit(t *testing.T) {
	m, tgs := startMesh(t, 3)
	m.Split([]int{0}, []int{1, 2})
	for i := range 3 {
		for j := range 3 {
			if i == j {
				continue
			}
			cut := (i == 0) != (j == 0)
			if cut {
				expectRefused(t, m.Link(i, j).Addr())
			} else {
				expectPasses(t, m.Link(i, j).Addr(), tgs[j])
			}
		}
		expectPasses(t, m.Client(i).Addr(), tgs[i])
	}
	m.Heal()
	expectPasses(t, m.Link(0, 1).Addr(), tgs[1])
	expectPasses(t, m.Link(2, 0).Addr(), tgs[0])
}

// TestMeshOneWay blackholes 0->1 only: 1->0 still passes, and so does the
// reverse direction's client proxy.
func TestMeshOneWay(t *testing.T) {
	m, tgs := startMesh(t, 3)
	m.Blackhole([]int{0}, []int{1})
	c := dial(t, m.Link(0, 1).Addr())
	server := tgs[1].next(t)
	if _, err := c.Write([]byte("lost")); err != nil {
		t.Fatal(err)
	}
	waitStats(t, m.Link(0, 1), "dropped bytes", func(s Stats) bool { return s.Dropped[Forward] == 4 })
	expectNothing(t, server)
	expectPasses(t, m.Link(1, 0).Addr(), tgs[0])
	expectPasses(t, m.Link(0, 2).Addr(), tgs[2])
	if err := m.Delay([]int{1}, []int{2}, MaxDelay+1); err == nil {
		t.Error("Delay above MaxDelay accepted")
	}
}

// expectPasses dials addr and checks that a byte reaches tg.
func expectPasses(t *testing.T, addr string, tg *target) {
	t.Helper()
	c := dial(t, addr)
	server := tg.next(t)
	send(t, c, server, "x")
	_ = c.(*net.TCPConn).Close()
}
