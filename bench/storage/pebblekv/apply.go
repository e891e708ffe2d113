package pebblekv

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// ErrApplied rejects an op-number at or below the last applied one: log
// replay after a restart must skip what the checkpoint already holds.
var ErrApplied = errors.New("pebblekv: op already applied")

// Apply executes op as op-number index (core.StateMachine) and returns the
// encoded kv.Result, exactly as kv.Store.Apply would. It panics if Pebble
// fails or index is not above Applied: a replica that cannot keep its
// state must stop.
func (s *Store) Apply(index uint64, op []byte) []byte {
	res, err := s.ApplyAt(index, op)
	if err != nil {
		panic(err)
	}
	return res
}

// ApplyAt executes op as op-number opNum, which must exceed Applied (VR
// op-numbers that do not reach the state machine leave gaps). The
// mutation, the revision and opNum are committed in one Pebble batch, so
// they are durable together or not at all.
func (s *Store) ApplyAt(opNum uint64, op []byte) ([]byte, error) {
	if opNum <= s.applied {
		return nil, fmt.Errorf("%w: %d <= %d", ErrApplied, opNum, s.applied)
	}
	s.batch.Reset()
	res, revision, err := s.exec(op)
	if err != nil {
		return nil, fmt.Errorf("pebblekv: op %d: %w", opNum, err)
	}
	if err := s.commit(opNum, revision); err != nil {
		return nil, fmt.Errorf("pebblekv: op %d: %w", opNum, err)
	}
	return res.Encode(), nil
}

// commit adds the counters to the pending batch, commits it without sync
// (there is no WAL to sync) and only then advances the counters in memory.
func (s *Store) commit(opNum, revision uint64) error {
	var b [8]byte
	if revision != s.revision {
		if err := s.batch.Set(revisionKey, binary.BigEndian.AppendUint64(b[:0], revision), nil); err != nil {
			return err
		}
	}
	if err := s.batch.Set(appliedKey, binary.BigEndian.AppendUint64(b[:0], opNum), nil); err != nil {
		return err
	}
	if err := s.batch.Commit(pebble.NoSync); err != nil {
		return err
	}
	s.applied, s.revision = opNum, revision
	return nil
}

// exec decodes and executes op, staging mutations in s.batch. It returns
// the result and the revision after the op. Only storage errors are
// errors; a bad command is a Result with an error code.
func (s *Store) exec(op []byte) (kv.Result, uint64, error) {
	c, err := kv.DecodeCommand(op)
	if err != nil {
		return kv.Result{Code: kv.CodeBadCommand}, s.revision, nil
	}
	if err := s.opts.Limits.Validate(c); err != nil {
		return kv.Result{Kind: c.Kind, Code: kv.CodeOf(err)}, s.revision, nil
	}
	res := kv.Result{Kind: c.Kind}
	revision := s.revision
	switch c.Kind {
	case kv.KindGet:
		res.Version, res.Value, res.Found, err = s.get(c.Key)
	case kv.KindPut:
		revision++
		res.Version, err = revision, s.stagePut(c.Key, c.Value, revision)
	case kv.KindDelete:
		res.Found, err = s.stageDelete(c.Key)
		if res.Found {
			revision++
		}
	case kv.KindCAS:
		res.Version, res.Swapped, err = s.stageCAS(c.Key, c.Expected, c.Value, revision+1)
		if res.Swapped {
			revision++
		}
	case kv.KindScan:
		res.Items, res.More, err = s.scan(c.Key, c.End, c.Limit)
	case kv.KindScanPrefix:
		res.Items, res.More, err = s.scan(c.Key, prefixEnd(c.Key), c.Limit)
	}
	return res, revision, err
}
