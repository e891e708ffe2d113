package pebblekv

import (
	"testing"

	"github.com/vr-go/vr/kv"
)

func openTest(t *testing.T, dir string, limits kv.Limits) *Store {
	t.Helper()
	s, err := Open(dir, Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
