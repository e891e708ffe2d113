package sim

import (
	"bytes"
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/pebblekv"
)

// The replicas' state machines (Options.Engine).
const (
	EngineKV     = "kv"
	EnginePebble = "pebble"
)

// Sizes of a simulated pebble store: small, so that a run's few keys
// still reach Pebble's flushes and compactions now and then.
const (
	simPebbleCache    = 1 << 20
	simPebbleMemTable = 256 << 10
)

// newStateMachine returns a fresh, empty state machine for rep's new
// incarnation as the core sees it, noting what it applies in rep.tap, and
// the kv store it is (nil with the pebble engine, whose store goes to
// rep.pebble).
func (r *run) newStateMachine(rep *replica) (core.StateMachine, *kv.Store) {
	rep.tap = &tapOps{}
	if r.opts.Engine != EnginePebble {
		store := r.newStore()
		return &applyTap{Store: store, tapOps: rep.tap}, store
	}
	s, err := pebblekv.Open("/state", pebblekv.Options{
		Limits: kv.DefaultLimits(), FS: vfs.NewMem(),
		CacheSize: simPebbleCache, MemTableSize: simPebbleMemTable,
		Logger: slog.New(slog.DiscardHandler), // a run reports through its checks
	})
	if err != nil {
		panic(fmt.Sprintf("sim: open a pebble store in memory: %v", err))
	}
	rep.pebble = s
	return &pebbleTap{Store: s, tapOps: rep.tap}, nil
}

// closePebble closes rep's pebble store, if it has one: at a crash, which
// loses it, and at the end of the run.
func (r *run) closePebble(rep *replica) {
	if rep.pebble == nil {
		return
	}
	if err := rep.pebble.Close(); err != nil {
		panic(fmt.Sprintf("sim: close replica %d's pebble store: %v", rep.idx, err))
	}
	rep.pebble = nil
}

// closeStores closes every replica's pebble store.
func (r *run) closeStores() {
	for _, rep := range r.replicas {
		r.closePebble(rep)
	}
}

// digestOf is the digest of rep's state (kv.Store.Digest). A pebble store
// keeps none, so its state is exported into a kv store and digested
// there: O(state), and a run's states are small.
func (r *run) digestOf(rep *replica) uint64 {
	if rep.store != nil {
		return rep.store.Digest()
	}
	s := r.newStore()
	if err := s.Restore(bytes.NewReader(r.stateBytes(rep))); err != nil {
		panic(fmt.Sprintf("sim: replica %d's pebble state does not restore into kv: %v", rep.idx, err))
	}
	return s.Digest()
}

// stateBytes is rep's whole state in kv's snapshot format, without
// counting as a snapshot for the deltas.
func (r *run) stateBytes(rep *replica) []byte {
	if rep.store != nil {
		return rep.store.Bytes()
	}
	var b bytes.Buffer
	if _, err := rep.pebble.Export(&b); err != nil {
		panic(fmt.Sprintf("sim: export replica %d's pebble state: %v", rep.idx, err))
	}
	return b.Bytes()
}
