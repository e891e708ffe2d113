// Command tinypebble is tinykv plus a Pebble-backed pebblekv.Store:
// cmd/compare builds it to measure what Pebble adds to build time and
// binary size.
package main

import (
	"fmt"
	"os"

	"github.com/vr-go/vr/bench/storage/pebblekv"
	"github.com/vr-go/vr/kv"
)

func main() {
	dir, err := os.MkdirTemp("", "tinypebble-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s, err := pebblekv.Open(dir, pebblekv.Options{})
	if err != nil {
		panic(err)
	}
	s.Apply(1, kv.NewPut([]byte("k"), []byte("v")).Encode())
	fmt.Println(len(s.Bytes()))
	if err := s.Close(); err != nil {
		panic(err)
	}
}
