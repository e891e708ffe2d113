package client_test

import (
	"context"
	"fmt"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
)

func Example() {
	// A 3-replica cluster in this process; in real use, the addresses of
	// your `vr server` replicas.
	cluster, err := testcluster.Start(3, nil)
	if err != nil {
		panic(err)
	}
	defer cluster.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, cluster.Addrs...)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	if _, err := c.Put(ctx, []byte("greeting"), []byte("hello")); err != nil {
		panic(err)
	}
	value, _, err := c.Get(ctx, []byte("greeting"))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(value))
	// Output: hello
}

func ExampleClient_CAS() {
	cluster, err := testcluster.Start(3, nil)
	if err != nil {
		panic(err)
	}
	defer cluster.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, cluster.Addrs...)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	v1, _ := c.CAS(ctx, []byte("counter"), 0, []byte("1")) // create only if absent
	_, err = c.CAS(ctx, []byte("counter"), 0, []byte("1"))
	fmt.Println("second create:", err)
	_, err = c.CAS(ctx, []byte("counter"), v1, []byte("2"))
	fmt.Println("update with the right version:", err)
	// Output:
	// second create: client: version mismatch
	// update with the right version: <nil>
}
