package main

import (
	"testing"

	"github.com/vr-go/vr/node"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"auto": node.MemoryLimitFromState, "off": 0, "1048576": 1 << 20, "512MiB": 512 << 20, "2GiB": 2 << 30, "3KiB": 3 << 10,
	} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "2GB", "lots", "9999999999GiB"} {
		if got, err := parseMemoryLimit(in); err == nil {
			t.Errorf("parseMemoryLimit(%q) = %d, want an error", in, got)
		}
	}
}
