//go:build !unix

package procs

import "os"

func freeze(*os.Process) error { return ErrNoFreeze }
func thaw(*os.Process) error   { return ErrNoFreeze }
