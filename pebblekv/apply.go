package pebblekv

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// Apply executes op and returns the encoded kv.Result, exactly as
// kv.Store.Apply does. An op's writes commit to Pebble in one batch,
// without sync. It panics if Pebble fails: a replica that cannot keep its
// state must stop.
func (s *Store) Apply(_ uint64, op []byte) []byte {
	c, err := kv.DecodeCommand(op)
	if err != nil {
		return kv.Result{Code: kv.CodeBadCommand}.Encode()
	}
	res := s.exec(c)
	if !s.batch.Empty() {
		if err := s.batch.Commit(pebble.NoSync); err != nil {
			panic(fmt.Errorf("pebblekv: commit: %w", err))
		}
	}
	s.batch.Reset()
	return res.Encode()
}

// Query answers a read-only command without changing the state, with the
// bytes Apply would return (core.Querier); false for any other command.
func (s *Store) Query(op []byte) ([]byte, bool) {
	c, err := kv.DecodeCommand(op)
	if err != nil || !c.ReadOnly() {
		return nil, false
	}
	return s.exec(c).Encode(), true
}

// ReadOnly reports whether op only reads (node.ReadOnlyChecker).
func (s *Store) ReadOnly(op []byte) bool {
	c, err := kv.DecodeCommand(op)
	return err == nil && c.ReadOnly()
}

// exec executes c, staging its writes in s.batch, as kv.Store's exec.
func (s *Store) exec(c kv.Command) kv.Result {
	if err := s.limits.Validate(c); err != nil {
		return kv.Result{Kind: c.Kind, Code: kv.CodeOf(err)}
	}
	res := kv.Result{Kind: c.Kind}
	switch c.Kind {
	case kv.KindGet:
		var e stored
		e, res.Found = s.lookup(c.Key)
		res.Value, res.Version = e.value, e.version
	case kv.KindPut:
		res.Version = s.write(c.Key, c.Value)
	case kv.KindDelete:
		res.Found = s.remove(c.Key)
	case kv.KindCAS:
		res.Version, res.Swapped = s.cas(c.Key, c.Expected, c.Value)
	case kv.KindScan:
		res.Items, res.More = s.scan(c.Key, c.End, c.Limit)
	case kv.KindScanPrefix:
		res.Items, res.More = s.scan(c.Key, kv.PrefixEnd(c.Key), c.Limit)
	case kv.KindIncr:
		res.Counter, res.Version, res.Code = s.incr(c.Key, c.Delta)
	case kv.KindBatch:
		res.Batch = make([]kv.Result, len(c.Batch))
		for i, sub := range c.Batch {
			res.Batch[i] = s.exec(sub)
		}
	}
	return res
}
