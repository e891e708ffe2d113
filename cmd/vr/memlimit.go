package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vr-go/vr/node"
)

// parseMemoryLimit reads --memory-limit: auto, off, or bytes with an
// optional KiB, MiB or GiB suffix.
func parseMemoryLimit(s string) (int64, error) {
	switch s {
	case "auto":
		return node.MemoryLimitFromState, nil
	case "off":
		return 0, nil
	}
	num, unit := s, int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			num, unit = rest, u
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("bad --memory-limit %q: use auto, off, or a positive number of bytes (suffixes KiB, MiB, GiB)", s)
	}
	return n * unit, nil
}
