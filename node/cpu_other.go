//go:build !unix

package node

import "time"

// processCPU is unknown here: -1.
func processCPU() time.Duration { return -1 }
