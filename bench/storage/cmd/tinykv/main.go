// Command tinykv is the smallest program that uses the in-memory kv.Store:
// cmd/compare builds it to measure build time and binary size without
// Pebble.
package main

import (
	"fmt"

	"github.com/vr-go/vr/kv"
)

func main() {
	s := kv.New(kv.Limits{})
	s.Apply(1, kv.NewPut([]byte("k"), []byte("v")).Encode())
	fmt.Println(len(s.Bytes()))
}
