package main

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/node"
	"github.com/vr-go/vr/pebblekv"
)

// The state machine engines vr server offers.
const (
	engineMemory = "memory"
	enginePebble = "pebble"
	// pebbleDirName is the pebble engine's working copy, in --data-dir.
	pebbleDirName = "pebble-state"
)

// engineFlags choose the key-value store's engine.
type engineFlags struct {
	engine      string
	pebbleCache int64
}

func (e *engineFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&e.engine, "engine", engineMemory,
		"the key-value store's engine: memory (the state in RAM, fastest) or pebble (the state on disk in --data-dir, for a state larger than memory; needs --data-dir)")
	fl.Int64Var(&e.pebbleCache, "pebble-cache-bytes", pebblekv.DefaultCacheSize,
		"--engine pebble: Pebble's block cache in bytes")
}

// apply sets cfg's state machine for the chosen engine. The pebble engine
// opens its working copy in --data-dir when the node opens its state
// machine, after it locked the directory.
func (e engineFlags) apply(cfg *node.Config, witness bool, logger *slog.Logger) error {
	switch e.engine {
	case "", engineMemory: // the zero value is the default
		return nil
	case enginePebble:
	default:
		return fmt.Errorf("bad --engine %q: use %s or %s", e.engine, engineMemory, enginePebble)
	}
	switch {
	case witness:
		return fmt.Errorf("--engine %s: a witness holds no state", enginePebble)
	case cfg.DataDir == "":
		return fmt.Errorf("--engine %s needs --data-dir: its working copy of the state goes there", enginePebble)
	case e.pebbleCache < 1<<20:
		return fmt.Errorf("--pebble-cache-bytes %d is below 1 MiB", e.pebbleCache)
	}
	if logger == nil {
		logger = slog.Default()
	}
	dir, opts := filepath.Join(cfg.DataDir, pebbleDirName), pebblekv.Options{
		Limits: cfg.KVLimits, CacheSize: e.pebbleCache, Logger: logger.With("engine", enginePebble),
	}
	cfg.OpenStateMachine = func() (core.StateMachine, error) { return pebblekv.Open(dir, opts) }
	return nil
}
