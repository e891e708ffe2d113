package client_test

import (
	"testing"

	"github.com/vr-go/vr/client"
)

// Dial needs one reachable member: the client learns the configuration
// (ids, addresses) from it, and requests reach the primary even when the
// address given is a backup's and the other given address is dead.
func TestDialDiscoversConfiguration(t *testing.T) {
	c, _ := startCluster(t, 3)
	cl, err := client.DialConfig(ctxT(t), client.Config{Addrs: []string{"127.0.0.1:1", c.Addrs[2]}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	epoch, _, ms := cl.Config()
	if epoch != 0 || len(ms) != 3 {
		t.Fatalf("epoch %d, members %+v", epoch, ms)
	}
	for i, m := range ms {
		if int(m.ID) != i || m.Addr != c.Addrs[i] {
			t.Fatalf("member %d: %+v, want id %d at %s", i, m, i, c.Addrs[i])
		}
	}
	if _, err := cl.Put(ctxT(t), []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	// The replica the client names is primary of the client's view, or
	// the cluster has moved past it (a loaded box may change views).
	view, primary := cl.View()
	i := view % 3
	if st := c.Nodes[i].Status(); primary != c.Addrs[i] || st.View < view || st.View == view && !st.IsPrimary {
		t.Fatalf("client: view %d primary %s; replica %d at %s: %+v", view, primary, i, c.Addrs[i], st)
	}
}

// A static client takes its addresses as the configuration and asks no
// replica: two addresses are no configuration of 2f+1.
func TestStaticNeedsAConfiguration(t *testing.T) {
	c, _ := startCluster(t, 3)
	if _, err := client.DialConfig(ctxT(t), client.Config{Addrs: c.Addrs[:2], Static: true}); err == nil {
		t.Fatal("a static client accepted 2 addresses")
	}
}
